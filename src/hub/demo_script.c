/*
 * demo_script.c — the demo's people, channels and conversations (see
 * demo_script.h). Everything here is made up; addresses use the reserved
 * example.* domains and order numbers mean nothing.
 */
#include "demo_script.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const demo_colleague_names[DEMO_COLLEAGUES] = {"Ana Souza", "Ben Okafor"};

const struct demo_customer demo_customers[] = {
	{"María García", "maria.garcia@example.com", "+34612489017", "@mariagarcia.bcn"},
	{"Liam O'Connor", "liam.oconnor@example.ie", "+353861234567", "@liamoc"},
	{"Yuki Tanaka", "yuki.tanaka@example.jp", "+819012345678", "@yuki_tnk"},
	{"José Peña", NULL, "+5215512345678", "@jose.pena.mx"},
	{"Zoë Müller", "zoe.mueller@example.de", "+491701234567", "@zoe_mllr"},
	{"Oluwaseun Adeyemi", "seun.adeyemi@example.ng", "+2348031234567", "@seun.adeyemi"},
	{"Priya Raman", "priya.raman@example.in", "+919812345678", "@priya.raman"},
	{"Chloé Dubois", "chloe.dubois@example.fr", "+33612345678", "@chloedbs"},
	{"Łukasz Nowak", NULL, "+48501234567", "@lukasz.nowak"},
	{"Ayşe Yılmaz", "ayse.yilmaz@example.com.tr", "+905321234567", "@ayseyilmaz"},
	{"Björn Lindqvist", "bjorn.lindqvist@example.se", "+46701234567", "@bjorn.lq"},
	{"Nguyễn Thị Lan", NULL, "+84912345678", "@lan.nguyen"},
	{"Mateo Rossi", "mateo.rossi@example.it", "+393471234567", "@mateorossi"},
	{"Fatima Zahra El Idrissi", "fz.elidrissi@example.ma", "+212612345678", "@fatimazahra.e"},
	{"Kenji Watanabe", "kenji.w@example.jp", "+818012345678", "@kenji_wtnb"},
	{"Sofia Andersson", "sofia.andersson@example.se", "+46731234567", "@sofia.and"},
	{"Daniel Cohen", "daniel.cohen@example.com", "+972521234567", "@dancohen"},
	{"Amara Nwosu", NULL, "+2348091234567", "@amara.nw"},
	{"Lucas Oliveira", "lucas.oliveira@example.com.br", "+5511912345678", "@lucasoliv"},
	{"Emma Schneider", "emma.schneider@example.at", "+436641234567", "@emma.schn"},
	{"Arjun Mehta", "arjun.mehta@example.com", "+919876501234", "@arjun.m"},
	{"Hannah Kowalski", "hannah.k@example.com", "+14155550123", "@hannahkow"},
	{"Diego Hernández", NULL, "+5491123456789", "@diego.hdz"},
	{"Mei Lin", "mei.lin@example.sg", "+6591234567", "@meilin.sg"},
	{"Tom Becker", "tom.becker@example.de", "+491521234567", "@tombecker"},
	{"Aisha Khan", "aisha.khan@example.co.uk", "+447700900123", "@aisha.k"},
	{"Jonas Petersen", "jonas.petersen@example.dk", "+4520123456", "@jonaspetersen"},
	{"Camille Laurent", NULL, "+33712345678", "@camille.lrnt"},
	{"Kwame Mensah", "kwame.mensah@example.com.gh", "+233241234567", "@kwame.m"},
	{"Olga Ivanova", "olga.ivanova@example.com", "+37120012345", "@olga.iv"},
	{"Sven Halvorsen", "sven.halvorsen@example.no", "+4791234567", "@svenh"},
	{"Leila Haddad", "leila.haddad@example.com", "+96170123456", "@leila.hdd"},
	{"Rafael Costa", NULL, "+351912345678", "@rafa.costa"},
	{"Grace Kim", "grace.kim@example.com", "+821012345678", "@gracekim"},
	{"Ahmed Hassan", "ahmed.hassan@example.com", "+201001234567", "@ahmed.hsn"},
	{"Isabella Conti", "isabella.conti@example.it", "+393331234567", "@isaconti"},
};
const size_t demo_customer_count = COUNT(demo_customers);

/* Indexes used by the seed table below: 0 Website, 1 WhatsApp, 2 Instagram. */
const struct demo_channel demo_channels[] = {
	{CHANNEL_WIDGET, "Website", 45},
	{CHANNEL_WHATSAPP, "WhatsApp", 35},
	{CHANNEL_INSTAGRAM, "Instagram", 20},
};
const size_t demo_channel_count = COUNT(demo_channels);

const struct demo_topic demo_topics[] = {
	{ /* 0 */
		"Late delivery #48213",
		"Hi, my order #48213 was supposed to arrive on Tuesday and it's still not here. "
		"Tracking hasn't moved since Monday.",
		"Sorry about the wait! Orders usually arrive within 3–5 business days. "
		"Tracking can lag behind by up to 48 hours, so the parcel may simply not have "
		"been scanned yet.",
		"Ok, I'll give it until Friday then. Thanks!",
		"Hi {first}, this is {agent} from the support team. Let me check with the "
		"courier what happened to #48213.",
		"The courier confirmed it was held at their depot. It's out for delivery "
		"tomorrow before 12:00, and I've refunded the shipping cost.",
		"Thanks. It's a birthday present, so tomorrow would really help 🙏",
		"Perfect, thank you so much!",
		"Bot could not see the courier's depot status.",
		"I've checked with the courier: your parcel is at the local depot and should "
		"be delivered within one business day.",
	},
	{ /* 1 */
		"Refund for returned jacket",
		"I sent back a jacket two weeks ago and I still haven't got my refund. "
		"Return label RT-77120.",
		"Refunds are issued within 5–7 business days after the warehouse receives "
		"your return. You'll get an email as soon as it's processed.",
		"Ah ok, then it should be any day now. Thanks",
		"Hello {first}, {agent} here. I'm looking up return RT-77120 for you right now.",
		"The warehouse received it on the 12th but the refund got stuck. I've pushed it "
		"through: €89.90 back on your card within 2–3 days.",
		"It was paid with PayPal, not a card, if that matters",
		"Great, thanks for sorting it out!",
		"Refund was stuck; bot cannot see warehouse receipts.",
		NULL,
	},
	{ /* 2 */
		"Password reset email missing",
		"I asked for a password reset 3 times and no email arrives. "
		"Already checked spam.",
		"Reset emails can take a few minutes. Please make sure you use the address "
		"your account was registered with, then try again from the login page.",
		"It just arrived, thanks!",
		"Hi {first}, I'm {agent}. Can you confirm the email address on your account? "
		"I'll check our mail logs.",
		"Our mail provider was bouncing messages to your domain. I've sent a fresh "
		"reset link; it's valid for 30 minutes.",
		"It's the same address as this chat, it worked fine last month",
		"Got it and I'm back in. Thank you!",
		"Bot repeated the same advice after the customer said it failed.",
		"I'm sorry the emails aren't arriving. I'll hand you to a colleague who can "
		"check our mail logs right away.",
	},
	{ /* 3 */
		"Double charge on card",
		"I was charged twice for the same order, €54.20 two times on my statement!",
		"I understand how worrying that is. Often the second amount is a temporary "
		"authorisation that disappears within a few days.",
		"Ok, I'll check again on Monday.",
		"Hi {first}, {agent} from billing here. I'm checking the payments on your "
		"account now.",
		"You're right, the payment went through twice. I've refunded the duplicate "
		"€54.20; you'll see it in 3–5 business days.",
		"Both show as completed in my bank app, not pending",
		"Thanks for fixing it so fast 👍",
		"Duplicate capture, not an authorisation hold.",
		"Let me connect you with our billing team so they can check both payments.",
	},
	{ /* 4 */
		"Move appointment to Friday",
		"Hello, can I move my appointment on Thursday at 15:00 to Friday morning?",
		"You can reschedule from the link in your confirmation email, up to 24 hours "
		"before the appointment.",
		"Found the link, done. Thanks!",
		"Hi {first}, {agent} here. I can move it for you — would Friday 9:30 or 11:00 "
		"work?",
		"Done: you're booked for Friday at 11:00. The Thursday slot is cancelled and a "
		"new confirmation is on its way.",
		"11:00 would be ideal",
		"Wonderful, see you Friday!",
		"The reschedule link had expired (under 24 h).",
		NULL,
	},
	{ /* 5 */
		"Exchange: sneakers size 42 → 43",
		"The sneakers I got are too small. Can I exchange them for a 43?",
		"Yes! Exchanges are free within 30 days. Start one from Orders → Return or "
		"exchange and print the label.",
		"Great, I'll do that. Thanks",
		"Hi {first}, this is {agent}. Size 43 is almost sold out, so let me reserve "
		"one for you before you send yours back.",
		"Reserved! The 43 ships today and the return label is in your inbox; just drop "
		"the old pair at any post office.",
		"Yes please, the white ones",
		"Amazing, thank you!",
		"Low stock: the bot cannot reserve items.",
		NULL,
	},
	{ /* 6 */
		"Cancel subscription",
		"How do I cancel my subscription? I can't find it anywhere in the app.",
		"You can cancel any time under Settings → Plan → Cancel subscription. "
		"You'll keep access until the end of the billing period.",
		"Found it, thanks.",
		"Hi {first}, {agent} here. I can cancel it for you — is it the annual or the "
		"monthly plan?",
		"Cancelled. You keep access until the 30th and you won't be charged again. "
		"I've also emailed you the confirmation.",
		"Monthly. The button is not there on Android",
		"Thanks, that was easy",
		"The Android app hides the cancel button; the bot's path is wrong there.",
		"On Android, open the website in your browser and go to Settings → Plan; "
		"the app doesn't show the cancel button yet.",
	},
	{ /* 7 */
		"Delivery address change",
		"I put the wrong address on order #51877, it should be Calle Mayor 12, 3º B. "
		"Can you change it?",
		"Addresses can be changed until the order is packed. Go to Orders → #51877 → "
		"Edit delivery.",
		"Edited it, all good.",
		"Hi {first}, {agent} here. The order is already packed, but let me ask the "
		"warehouse to relabel it.",
		"The warehouse relabelled it: #51877 now goes to Calle Mayor 12, 3º B. It "
		"ships tonight.",
		"The edit button is greyed out for me",
		"Thank you, you saved me!",
		"Order was already packed; edit was not possible.",
		NULL,
	},
	{ /* 8 */
		"Damaged coffee machine",
		"My coffee machine arrived with a cracked water tank 😞 Photos attached.",
		"I'm sorry it arrived damaged! Please keep the packaging; I'll open a damage "
		"claim for you.",
		"Thanks, I'll wait for the email.",
		"Hi {first}, I'm {agent}. Sorry about that! Could you send the order number "
		"so I can arrange a replacement?",
		"A new machine ships today with express delivery, and the courier will pick up "
		"the damaged one when they deliver it.",
		"It's order #50311",
		"That's great service, thank you!",
		"Bot cannot see photos; a person had to check them.",
		NULL,
	},
	{ /* 9 */
		"Invoice with VAT number",
		"I need an invoice with our company's VAT number for order #49902, "
		"the one I downloaded doesn't have it.",
		"You can add a VAT number under Account → Billing details; invoices created "
		"afterwards will include it.",
		"Ok, I'll add it for the next orders then.",
		"Hi {first}, {agent} from billing here. Send me the VAT number and I'll "
		"reissue the invoice for #49902.",
		"Done — the corrected invoice for #49902 is in your inbox and in Account → "
		"Invoices.",
		"DE 312 456 789, company name Müller & Söhne GmbH",
		"Perfect, our accountant will be happy 😅",
		"Existing invoices cannot be reissued by the bot.",
		"I'll pass you to our billing team; they can reissue the invoice for an "
		"existing order.",
	},
	{ /* 10 */
		"Locked out after phone change",
		"I got a new phone and now I can't log in, it asks for a 2FA code from my old "
		"phone which I don't have anymore.",
		"If you saved your backup codes, you can use one of them instead of the 2FA "
		"code.",
		"Found my backup codes, I'm in. Thanks!",
		"Hi {first}, {agent} here. For security I'll need to verify you first: what "
		"are the last 4 digits of the card on the account?",
		"Thanks, you're verified. I've reset your 2FA; log in with your password and "
		"you'll be asked to set it up on the new phone.",
		"It ends in 4417",
		"It worked, thank you!",
		"No backup codes: needed identity check by an agent.",
		NULL,
	},
	{ /* 11 */
		"Promo code not accepted",
		"The code WINTER20 says it's invalid but the email says it's valid until "
		"Sunday.",
		"Promo codes can't be combined with items already on sale. Please check "
		"whether your basket contains reduced items.",
		"Ah, there was a sale item in the basket. Works now!",
		"Hi {first}, {agent} here. Let me check the code on your account.",
		"The code was tied to another email address by mistake. I've applied the 20% "
		"to your order manually.",
		"Nothing in my basket is on sale though",
		"Thanks a lot!",
		"Code was bound to the wrong account.",
		NULL,
	},
};
const size_t demo_topic_count = COUNT(demo_topics);

/* Twelve chats in every state, on all three channels. Two are written in the
 * customer's own language, and one carries what a phishing SMS pasted into a
 * chat looks like — a colour escape and a right-to-left override — so the
 * console's neutralising of hostile text is on screen from the start. */
const struct demo_seed_chat demo_seed_chats[] = {
	{0, 0, 0, SEED_SOLVED, 0, NULL},
	{4, 9, 0, SEED_SOLVED, 1, NULL},
	{2, 0, 2, SEED_WAITING, 0,
	 "こんにちは。注文 #58213 がまだ届いていません 📦 "
	 "Is there any update?"},
	{16, 3, 0, SEED_WAITING, 0,
	 "Got this SMS after paying, is it from you?? "
	 "\"\x1b[31mURGENT\x1b[0m card blocked, confirm at pay-secure.example "
	 "\xe2\x80\xae" "txt.exe" "\xe2\x80\xac\" Looks like phishing"},
	{5, 2, 1, SEED_WAITING, 0, NULL},
	{3, 4, 1, SEED_HELD, 0,
	 "Hola! Quería cambiar mi cita del jueves a las 15:00… ¿se puede pasar al viernes "
	 "por la mañana?"},
	{7, 1, 0, SEED_HELD, 1, NULL},
	{9, 8, 2, SEED_HELD, 0, NULL},
	{6, 6, 0, SEED_BOT, 0, NULL},
	{10, 5, 1, SEED_BOT, 0, NULL},
	{11, 11, 2, SEED_NEW, 0, NULL},
	{12, 7, 0, SEED_NEW, 0, NULL},
};
const size_t demo_seed_chat_count = COUNT(demo_seed_chats);

const char *const demo_escalations[] = {
	"I want to talk to a person, please.",
	"Can I speak to a human? This isn't helping.",
	"That doesn't answer my question. Is there a real agent I can talk to?",
	"agent",
	"I already tried that twice. Please get me someone from support.",
	"Sorry but I need a human for this one.",
	"Can you connect me to customer service? A real person please 🙏",
	"This is urgent, I'd like to speak with someone now.",
};
const size_t demo_escalation_count = COUNT(demo_escalations);

const char *const demo_bot_goodbyes[] = {
	"Glad I could help! Anything else, just write here.",
	"You're welcome, {first}! Have a great day.",
	"Happy to help 😊 I'll close this chat for now; write again any time.",
};
const size_t demo_bot_goodbye_count = COUNT(demo_bot_goodbyes);

const char *const demo_small_talk[] = {
	"Ok, thanks!",
	"Sure, one moment…",
	"Yes, that's right.",
	"Hmm, I'm not sure. Can you explain again?",
	"Great 👍",
	"Thank you, that's all I needed.",
	"Alright, I'll wait.",
	"Merci beaucoup !",
};
const size_t demo_small_talk_count = COUNT(demo_small_talk);
