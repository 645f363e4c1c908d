"""hvac-ctl: zoned, time-phased air conditioning for theatres."""

__version__ = "0.1.0"
