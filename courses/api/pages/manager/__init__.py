"""The page of a registrant's manager, reached by the secret token of the approval mail
(`/godkann/{token}`): who registered for what, and the two buttons that approve or decline.
"""
