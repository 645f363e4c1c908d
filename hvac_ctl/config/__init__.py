"""Configuration files → validated models, with every error as `file:line: key: message`."""

from hvac_ctl.config.errors import ConfigError, ConfigIssue, ConfigWarning
from hvac_ctl.config.loader import (
    config_files,
    load_config,
    load_config_with_warnings,
    parse_config,
    parse_config_with_warnings,
)

__all__ = ["ConfigError", "ConfigIssue", "ConfigWarning", "config_files", "load_config",
           "load_config_with_warnings", "parse_config", "parse_config_with_warnings"]
