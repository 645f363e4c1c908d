"""Device drivers: one small protocol-agnostic interface, BACnet and Modbus behind it.

Not built yet (the drivers issue). Only this package will ever know an object id or a register;
it imports nothing of `hvac_ctl`.
"""
