"""The CRM emulator behind crm_emulator.py (the entry point): ActiveCampaign
v3 and Keap REST v1, emulated. Shapes, paths and the references they were
taken from are in tools/testkit/CRM.md."""
