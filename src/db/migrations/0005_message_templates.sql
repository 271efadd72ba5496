-- A message sent as a Cloud API template (the fallback when WhatsApp refuses a linked device's
-- first message to a cold contact): template name, language and body parameters.
ALTER TABLE "messages" ADD COLUMN "template" jsonb;
