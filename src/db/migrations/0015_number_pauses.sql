-- A number's pauses (src/whatsapp/number-pause.ts). WhatsApp keeps a number from connecting for a
-- while (a temporary ban, another client on the device), or from writing first to customers (463,
-- an active reach-out timelock): the session manager waits those out instead of retrying.
ALTER TABLE whatsapp_numbers ADD COLUMN connect_paused_until timestamp with time zone;
ALTER TABLE whatsapp_numbers ADD COLUMN first_contact_paused_until timestamp with time zone;
ALTER TABLE whatsapp_numbers ADD COLUMN first_contact_pause_reason text;
