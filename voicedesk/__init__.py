"""The composition root: the one settings tree, the function that builds everything from it, and the CLI.

It sits above the four packages (telephony -> voice -> {speech, dialog}) and nothing below imports it.
"""
