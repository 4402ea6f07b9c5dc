"""The Coda pack shim: generated TypeScript that forwards Coda's requests to the service.

The generator arrives with the pack-shim issue; this package never gets imported by the service.
"""
