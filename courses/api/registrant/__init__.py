"""The JSON API of someone who registered, reached by the secret token of their manage link
(`/api/registrations/{token}`): their registration, its calendar file, cancelling it, and the
registerutdrag (`data_extract`: everything stored about them). No sign-in: the token is the key,
so every route is rate limited per token and, for unknown tokens, per client address.
"""
