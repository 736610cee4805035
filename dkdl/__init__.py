"""dkdl: practise the Dutch DKDL cliëntprofiel registration (NZa case-mix) offline."""

__version__ = "0.1.0"
