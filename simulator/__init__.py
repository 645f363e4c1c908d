"""The building simulator: the hall's physics, served over BACnet/IP and Modbus TCP.

It imports nothing of `hvac_ctl`: it is a building, not a client, described in its own terms
(`building`); `hvac_ctl.simulation` translates `zones.yaml` and the calendar into them.
"""
