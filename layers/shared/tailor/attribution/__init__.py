"""Attribution and results: what each email earns.

* `clicks`: every link through the click redirect (signed per message and link), UTM added.
* `orders`: each order attributed once, to a code or landing site Tailor issued or to the
  last click in the window, with its evidence; `register_code`/`issued_code` are the
  registry of codes Tailor put in emails (referrals register theirs here too).
* `holdout`: a stable share of customers kept from a marketing type, for lift.
* `feedback`: SES deliveries, bounces and complaints counted per type and language.
* `report`: the counters per email type and language, for `tailor report` and the gallery.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tailor.attribution.orders import IssuedCode, issued_code, register_code

_FROM_ORDERS = ("IssuedCode", "issued_code", "register_code")


def __getattr__(name: str) -> Any:
    # On first use: the click redirect imports this package, and needs neither the order
    # attribution nor the event models it reads.
    if name in _FROM_ORDERS:
        from tailor.attribution import orders

        return getattr(orders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["IssuedCode", "issued_code", "register_code"]
