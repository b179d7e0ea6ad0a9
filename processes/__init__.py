"""The bundled process library, installed as the package `kamflow.library`."""
