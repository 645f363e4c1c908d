"""The use cases of the service, written once: what the API's routers and the panel's pages
both call. `occupancy` (box-office pushes), `overrides`, `alarms`, `schedules`, `tokens` (who
may do what), `hall` (zones and the day's plan), `history` (trends and audit), `views` (what
both show); `layer.Application` bundles them over one `Runtime`. Failures are `errors`, in the
caller's terms: the API maps them to status codes, the panel to messages on the page.
"""
