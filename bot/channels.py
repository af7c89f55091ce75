"""The message channels the engine writes to clients on: each one's spec (its compose and its lanes), from its
own folder in channels/. A channel runtime may add its own (`EngineRuntime.add_channel`)."""

from __future__ import annotations

from channels.telegram.compose import SPEC as TELEGRAM
from channels.whatsapp.compose import SPEC as WHATSAPP
from domain.outbound import ChannelRegistry


def message_channels() -> ChannelRegistry:
    return ChannelRegistry(TELEGRAM, WHATSAPP)
