"""Trainer mode: the log read-only, as a sessions table, session detail and analyses.

Screens here present what the app hands them and post the messages in :mod:`.messages`; the
app's :class:`.routes.TrainerRoutes` answers them in worker threads through the core
(:mod:`dkdl.trainer_sessions`, the review analytics). Nothing here writes the log, except the
trainer's own "these two names are one person" alias, and that through the core.
"""
