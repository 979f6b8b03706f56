"""aomori-desktop: KPI progress management for 青森市しごと創造戦略."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "aomori-desktop"
APP_TITLE_JA = "青森市しごと創造戦略 KPI進捗管理"
