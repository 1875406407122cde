"""`sla-report pull`: the CRM's records straight from its API, every night (issue #21).

A team with a HubSpot portal or a Salesforce org and nothing in between (no
Fivetran, no Data Loader) gets its raw tables from the CRM's API: `pull`
writes them as Parquet, in the layout `build --source hubspot|salesforce`
already reads, into the data folder named in crm_source.yml (`pull.data`).

The package, by concern (imports flow down the list):

- settings.py: the `pull:` section of crm_source.yml and the token, read once;
- http.py: one HTTP client per pull (dlt's retrying session): auth, HubSpot's
  rate-limit headers and daily quota, 429/5xx/timeouts, a rejected token, a
  retired API version, and the request count;
- hubspot.py, salesforce.py: dlt sources, one resource per CRM object, each
  fetching only what changed since the last good pull;
- store.py: the run: dlt merges into a copy of the last good state, the
  tables are written as Parquet into a new folder, and the folder is swapped
  in only when everything succeeded.

dlt (https://dlthub.com) does the paging, retries, merging by id, deletions
(its `hard_delete` hint) and keeps the cursors in its pipeline state; why dlt
and not the vendors' clients is in the README.
"""
