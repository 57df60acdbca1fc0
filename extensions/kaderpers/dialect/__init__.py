"""(being written)"""


def setup(app):
    pass
