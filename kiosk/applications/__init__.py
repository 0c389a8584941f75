"""Applications for disclosure (依申请公开): the data model, validation, tracking numbers, deadlines and
submission. Import the submodules directly (``kiosk.applications.model`` etc.); this package stays light."""
