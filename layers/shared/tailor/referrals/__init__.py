"""Refer a friend: share links, invitations and their codes, conversions, rewards, and the
fraud rules they pass.

* `tokens`: the signed share, form and invitation links;
* `store`: the referrals table (`Referrals.code()` reads any code Tailor issued);
* `invitations`: the rules an invitation passes, and its email's context;
* `page`: the "tell a friend" page and the friend's landing link;
* `orders`: the invitation an order carries (code, attribute, landing page);
* `rewards`: responses and orders told to the referrer, rewards released or revoked.
"""
