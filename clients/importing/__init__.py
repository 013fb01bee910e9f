"""Import of a firm's client portfolio from a CSV or .xlsx file.

``reading`` turns untrusted bytes into rows (or a French reason why not), ``mapping`` matches the
file's columns to client fields, ``planning`` is the dry run (validation with
:class:`clients.forms.ClientForm`, create or update by SIREN, nothing written), ``applying`` writes
a plan through :mod:`clients.services`, ``job`` runs the dry run and the confirmed import in the
background, ``retention`` deletes uploaded files once they are no longer needed.
"""
