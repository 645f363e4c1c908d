"""Configuration files → validated models, with every error as `file:line: key: message`."""

from hvac_ctl.config.errors import ConfigError, ConfigIssue
from hvac_ctl.config.loader import config_files, load_config, parse_config

__all__ = ["ConfigError", "ConfigIssue", "config_files", "load_config", "parse_config"]
