__version__ = "0.1.0"
# The front-end module version the widget model asks for (package.json's version).
MODULE_VERSION = "^0.1.0"
