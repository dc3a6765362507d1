"""The pages of someone who registered, reached by the secret token of their manage link
(`/anmalan/{token}`): the receipt and their own page, cancelling with a confirmation step, the
course certificate, and the registerutdrag download (`data_extract`). With the view model of their
registration (`registration_view`) and how it words a registration waiting for a manager's answer
or a lottery's draw (`wording`).
"""
