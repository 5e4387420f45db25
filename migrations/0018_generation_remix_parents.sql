-- A remix job keeps the parent clip's C2PA manifest store (a serialized
-- clipforge.v1.BlobRef): the worker fetches it and the new manifest names
-- it as an ingredient, so lineage travels with the file.
SET LOCAL ROLE cf_generation;

ALTER TABLE generation.jobs ADD COLUMN parent_provenance bytea CHECK (length(parent_provenance) <= 1024);
