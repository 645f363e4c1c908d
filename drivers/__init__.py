"""Device drivers: one small protocol-agnostic interface, BACnet and Modbus behind it.

`base` is the interface and the link health every driver shares; `bacnet` (BACnet/IP),
`modbus` (Modbus TCP) and `memory` (in process, for tests and the evaluation) implement it.
Only this package knows an object id or a register; it imports nothing of `hvac_ctl`.
"""
