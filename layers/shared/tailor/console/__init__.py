"""The staff console: one function URL serving the support desk (and, later, the copy and
the results) to signed-in staff.

`http` turns function-URL events into requests and pages into responses with strict
headers; `auth` signs staff in with single-use mailed links and keeps server-side sessions;
`desk` reads and changes tickets; `app` routes requests to pages. Pages plug in with
`app.router.page(...)` and a nav entry in `app.NAV`.
"""
