"""Attribution and results: what each email earns.

* `clicks`: every link through the click redirect (signed per message and link), UTM added.
* `orders`: each order attributed once, to a code or landing site Tailor issued or to the
  last click in the window, with its evidence; `register_code`/`issued_code` are the
  registry of codes Tailor put in emails (referrals register theirs here too).
* `holdout`: a stable share of customers kept from a marketing type, for lift.
* `feedback`: SES deliveries, bounces and complaints counted per type and language.
* `report`: the counters per email type and language, for `tailor report` and the gallery.
"""

from tailor.attribution.orders import IssuedCode, issued_code, register_code

__all__ = ["IssuedCode", "issued_code", "register_code"]
