CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
  NEW."updatedAt" := now(); -- a comment; inside the body
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Place_set_updated_at" BEFORE UPDATE ON "Place"
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
