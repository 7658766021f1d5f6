/*
 * fixtures.h — protocol objects as the hub sends them, shared by unit tests.
 */
#ifndef HANDOFF_TEST_FIXTURES_H
#define HANDOFF_TEST_FIXTURES_H

#define FIX_CHAT_ID    "3f1c2a4e-9b7d-4c1e-8a2f-1d3e5f7a9b0c"
#define FIX_CHANNEL_ID "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d"
#define FIX_OWNER_ID   "11111111-2222-4333-8444-555555555555"
#define FIX_AGENT_ID   "aaaaaaaa-bbbb-4ccc-bddd-eeeeeeeeeeee"
#define FIX_TICKET_ID  "99999999-8888-4777-a666-555555555555"
#define FIX_MSG_ID     "12345678-1234-4234-9234-123456789abc"
#define FIX_BRIDGE_ID  "bbbbbbbb-1111-4222-8333-444444444444"

/* A chat with every optional part present. */
#define FIX_CHAT_JSON                                                                  \
	"{\"id\":\"" FIX_CHAT_ID "\",\"title\":\"Refund for order 1182\","              \
	"\"channel\":{\"id\":\"" FIX_CHANNEL_ID "\",\"name\":\"Website\",\"type\":\"widget\"}," \
	"\"owner\":{\"id\":\"" FIX_OWNER_ID "\",\"external_id\":\"cust-1\","             \
	"\"name\":\"Maria G.\",\"email\":\"maria@example.com\"},"                        \
	"\"created_at\":\"2026-11-23T10:00:00.000Z\",\"updated_at\":\"2026-11-23T10:01:02.123Z\"," \
	"\"latest_message\":{\"preview\":\"Still waiting \xe2\x80\x94 any news?\","       \
	"\"at\":\"2026-11-23T10:01:02.123Z\",\"role\":\"user\"},"                        \
	"\"previous_message\":{\"preview\":\"Let me check that for you.\","             \
	"\"at\":\"2026-11-23T10:00:30.000Z\",\"role\":\"agent\"},"                       \
	"\"responder\":{\"type\":\"agent\",\"id\":\"" FIX_AGENT_ID "\",\"name\":\"Ana\"}," \
	"\"mode\":\"AGENT\",\"escalated\":true,\"escalated_at\":\"2026-11-23T10:00:10.000Z\"," \
	"\"ticket\":{\"id\":\"" FIX_TICKET_ID "\",\"status\":\"pending\"},"              \
	"\"state\":\"running\","                                                        \
	"\"rating\":{\"score\":4,\"feedback\":\"quick\",\"suggested_answer\":null,"     \
	"\"by\":\"" FIX_AGENT_ID "\",\"at\":\"2026-11-23T10:05:00.000Z\"},"              \
	"\"message_count\":12,\"version\":7,"                                          \
	"\"source\":{\"platform\":\"botpress\","                                          \
	"\"account\":{\"id\":\"" FIX_BRIDGE_ID "\",\"name\":\"Botpress bridge\"}},"     \
	"\"awaiting_reply_since\":\"2026-11-23T10:01:02.123Z\"}"

/* A fresh chat: every nullable part null. */
#define FIX_CHAT_MINIMAL_JSON                                                          \
	"{\"id\":\"" FIX_CHAT_ID "\",\"title\":null,"                                   \
	"\"channel\":{\"id\":\"" FIX_CHANNEL_ID "\",\"name\":\"WhatsApp\",\"type\":\"whatsapp\"}," \
	"\"owner\":{\"id\":\"" FIX_OWNER_ID "\",\"external_id\":null,\"name\":\"Li Wei\",\"email\":null}," \
	"\"created_at\":\"2026-11-23T10:00:00.000Z\",\"updated_at\":\"2026-11-23T10:00:00.000Z\"," \
	"\"latest_message\":null,\"previous_message\":null,"                            \
	"\"responder\":{\"type\":\"bot\",\"id\":null,\"name\":null},"                   \
	"\"mode\":\"AI\",\"escalated\":false,\"escalated_at\":null,"                    \
	"\"ticket\":null,\"state\":\"running\",\"rating\":null,"                        \
	"\"message_count\":0,\"version\":1,\"source\":null,\"awaiting_reply_since\":null}"

#define FIX_MESSAGE_JSON                                                               \
	"{\"id\":\"" FIX_MSG_ID "\",\"chat_id\":\"" FIX_CHAT_ID "\",\"seq\":5,"          \
	"\"created_at\":\"2026-11-23T10:01:02.123Z\",\"role\":\"user\",\"system_type\":null," \
	"\"author\":{\"id\":null,\"name\":\"Maria G.\"},"                               \
	"\"text\":\"Hello\\n\\u001b[31mred\",\"client_msg_id\":null,"                   \
	"\"external_message_id\":\"wamid.HBgL+/x=\"}"

#endif
