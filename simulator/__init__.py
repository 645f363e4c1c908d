"""The building simulator: the hall's physics, served over BACnet/IP and Modbus TCP.

Not built yet (the simulator issue). It reads `zones.yaml` itself and imports nothing of
`hvac_ctl`.
"""
