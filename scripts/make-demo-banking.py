#!/usr/bin/env python3
"""Builds demo/banking77-en.csv from ../shared/data/banking77/train.csv (CC BY 4.0).

One knowledge point per intent: a typical question and an answer written for the demo, and up to
12 real customer questions of that intent as phrasings. Only questions at positions not divisible
by 5 (per intent, in file order) are used, so the other fifth stays unseen by the demo knowledge.
Run: python3 scripts/make-demo-banking.py [path/to/train.csv]
"""
import csv, sys, collections, pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/banking77/train.csv"

# intent: (category/module, typical question, answer)
POINTS = {
 "card_arrival": ("Cards/Delivery", "My card has not arrived yet. Where is it?", "Cards usually arrive within 5 working days of ordering. You can follow the delivery under Card > Track delivery in the app. If it has not arrived after 10 working days, order a replacement there and we will cancel the first one."),
 "card_delivery_estimate": ("Cards/Delivery", "How long does card delivery take?", "Standard delivery takes 3 to 5 working days in the UK and up to 10 working days elsewhere. Express delivery (1 to 2 working days) can be chosen when you order."),
 "order_physical_card": ("Cards/Ordering", "How do I order a physical card?", "In the app, go to Card > Order a physical card, confirm your address and pay the delivery fee if one is shown. The card is sent within one working day."),
 "get_physical_card": ("Cards/Ordering", "I only have a virtual card. How do I get a physical one?", "Open Card > Order a physical card in the app. Your virtual card keeps working while the physical card is on its way."),
 "getting_spare_card": ("Cards/Ordering", "Can I have a second card on my account?", "Yes, you can hold up to 3 physical cards on one account. Order an extra one under Card > Add a card; each card has its own PIN."),
 "getting_virtual_card": ("Cards/Virtual cards", "How do I get a virtual card?", "Go to Card > Add a card > Virtual card in the app. It is ready to use at once for online payments and in Apple Pay or Google Pay."),
 "get_disposable_virtual_card": ("Cards/Virtual cards", "How do I create a disposable virtual card?", "Go to Card > Add a card > Disposable virtual card. Its number changes after every payment, which keeps your details safe on sites you do not trust."),
 "disposable_card_limits": ("Cards/Virtual cards", "How many times can I use a disposable card?", "A disposable virtual card works for one payment, then a new number is created automatically. You can create up to 20 disposable cards a day."),
 "virtual_card_not_working": ("Cards/Virtual cards", "My virtual card is not working.", "Check that the card is not frozen under Card settings and that the merchant accepts virtual cards. Some merchants (car rental, hotels) ask for a physical card. If payments still fail, contact us from the app."),
 "visa_or_mastercard": ("Cards/Ordering", "Is your card a Visa or a Mastercard?", "Our cards are issued as Mastercard debit cards in the UK and as Visa debit cards in the EEA. The scheme is shown on the card and in Card settings."),
 "supported_cards_and_currencies": ("Cards/Ordering", "Which cards and currencies do you support?", "You can top up with Visa and Mastercard debit and credit cards. Your account can hold more than 30 currencies; see Account > Currencies for the full list."),
 "activate_my_card": ("Cards/Activation and PIN", "How do I activate my new card?", "Open Card > Activate card in the app and enter the 6-digit code printed on the back of the letter, or scan the card. Then make a first chip-and-PIN payment to enable contactless."),
 "change_pin": ("Cards/Activation and PIN", "How do I change my PIN?", "You can change your PIN at any ATM that offers PIN services. In the app, Card > Show PIN shows your current PIN."),
 "pin_blocked": ("Cards/Activation and PIN", "My PIN is blocked. What can I do?", "After three wrong PIN entries the PIN is blocked. Unblock it under Card > Unblock PIN in the app, then use the card at an ATM with the correct PIN to reset the counter."),
 "card_not_working": ("Cards/Problems", "My card is not working.", "Check in the app that the card is active and not frozen, and that you have enough balance. If the chip is damaged, order a replacement under Card > Replace card."),
 "contactless_not_working": ("Cards/Problems", "Contactless payments are not working.", "Contactless is enabled after your first chip-and-PIN payment. Also check that contactless is switched on under Card settings. Very large amounts always ask for your PIN."),
 "card_swallowed": ("Cards/Problems", "An ATM swallowed my card.", "Freeze the card in the app at once, then contact the bank that owns the ATM: they may return it within a few days. Otherwise order a replacement under Card > Replace card."),
 "card_about_to_expire": ("Cards/Problems", "My card is about to expire. Will I get a new one?", "Yes. We send a new card automatically about a month before expiry to the address in your profile. Keep your address up to date in Account > Personal details."),
 "card_acceptance": ("Cards/Problems", "Where can I use my card?", "You can pay with your card wherever Mastercard or Visa is accepted, in shops, online and at ATMs worldwide."),
 "compromised_card": ("Cards/Security", "I think someone has used my card details.", "Freeze your card in the app now, then report the payments you do not recognise under Transactions > Report. We will cancel the card, send you a new one and look into the payments."),
 "lost_or_stolen_card": ("Cards/Security", "I lost my card. What should I do?", "Freeze the card in the app straight away. If you cannot find it, cancel it under Card > Lost or stolen and order a replacement; your balance is safe."),
 "card_linking": ("Cards/Security", "How do I link a card I found again?", "If you froze a card that you have found again, unfreeze it under Card settings. If you already reported it lost it is cancelled for good; use the replacement we sent."),
 "card_payment_fee_charged": ("Payments/Fees", "Why was I charged a fee for a card payment?", "Card payments are free in your currency. A fee applies to payments in another currency beyond your plan's free allowance, and to weekend exchanges. The fee is shown on the transaction."),
 "card_payment_not_recognised": ("Payments/Disputes", "There is a card payment I do not recognise.", "Check the merchant name in the transaction details: it is sometimes the company behind the shop. If you still do not recognise it, freeze your card and report the payment under Transactions > Report."),
 "card_payment_wrong_exchange_rate": ("Payments/Exchange rates", "The exchange rate on my card payment is wrong.", "Card payments use the card scheme's rate on the day the merchant settles the payment, which can differ from the rate when you paid. Contact us from the transaction if the difference looks too large."),
 "declined_card_payment": ("Payments/Declined", "Why was my card payment declined?", "Common reasons: not enough balance, a frozen card, a wrong PIN, online payments switched off, or a merchant we cannot pay. The reason is shown on the declined transaction in the app."),
 "pending_card_payment": ("Payments/Pending", "Why is my card payment still pending?", "A card payment stays pending until the merchant settles it, usually within 1 to 3 working days and at most 7. The money is reserved meanwhile; if the merchant never settles, it is released."),
 "reverted_card_payment?": ("Payments/Pending", "A card payment was reverted. Why?", "A payment is reverted when the merchant cancels it or does not settle it. The money goes back to your balance; if you still received the goods, the merchant may charge you again later."),
 "transaction_charged_twice": ("Payments/Disputes", "I was charged twice for the same payment.", "Often one of the two is a pending authorisation that disappears within a few days. If both are settled, ask the merchant for a refund or report the duplicate under Transactions > Report."),
 "extra_charge_on_statement": ("Payments/Fees", "There is an extra charge on my statement.", "Open the transaction to see what the fee is for: exchange outside your allowance, ATM withdrawal above your free limit, or express delivery. Contact us from the transaction if it still looks wrong."),
 "direct_debit_payment_not_recognised": ("Payments/Disputes", "There is a direct debit I do not recognise.", "Check the originator's name under Payments > Direct debits. If you did not set it up, cancel it there and report it; we will refund unauthorised direct debits under the Direct Debit Guarantee."),
 "apple_pay_or_google_pay": ("Payments/Mobile wallets", "Can I use Apple Pay or Google Pay?", "Yes. In the app, go to Card > Add to Apple Pay or Add to Google Pay and follow the steps. Virtual and physical cards can both be added."),
 "automatic_top_up": ("Top-ups/Card top-ups", "How does automatic top-up work?", "Turn on Auto top-up under Top up > Auto top-up: when your balance falls below the amount you choose, we top up from your linked card automatically."),
 "pending_top_up": ("Top-ups/Problems", "My top-up is still pending.", "Card top-ups usually arrive at once but can take up to 30 minutes. Bank transfers take up to 1 working day. If a top-up is pending longer, contact us from the transaction."),
 "top_up_by_bank_transfer_charge": ("Top-ups/Fees", "Is there a fee for topping up by bank transfer?", "Top-ups by bank transfer are free. Your own bank may charge for sending the transfer."),
 "top_up_by_card_charge": ("Top-ups/Fees", "Is there a fee for topping up by card?", "Top-ups with a debit card issued in the EEA or UK are free. Credit cards and cards from other countries cost 0.5% of the amount."),
 "top_up_by_cash_or_cheque": ("Top-ups/Bank transfers and cash", "Can I top up with cash or a cheque?", "We do not accept cash or cheques. Top up by bank transfer or with a debit or credit card in the app."),
 "top_up_failed": ("Top-ups/Problems", "My top-up failed.", "Check that the card is in your name, not expired, and that 3D Secure was completed. Your bank may also have declined it. The money is not taken for a failed top-up; if it was, it returns within 5 working days."),
 "top_up_limits": ("Top-ups/Card top-ups", "What are the top-up limits?", "You can top up up to 10,000 GBP a day by card and without limit by bank transfer. Your balance can hold at most 250,000 GBP."),
 "top_up_reverted": ("Top-ups/Problems", "My top-up was reverted.", "A top-up is reverted when the card issuer refuses it after approving it, for example a card not in your name. The money returns to your card within 5 working days."),
 "topping_up_by_card": ("Top-ups/Card top-ups", "How do I top up with my card?", "Go to Top up > Card, pick or add a card and enter the amount. The money is in your account within seconds."),
 "verify_top_up": ("Top-ups/Card top-ups", "Why do I need to verify my top-up card?", "To protect you from stolen cards we may ask you to verify a new top-up card: we make a small charge with a code in the description, which you enter in the app."),
 "cancel_transfer": ("Transfers/Sending money", "How do I cancel a transfer?", "A transfer can be cancelled while it is pending: open it under Transactions and tap Cancel. Completed transfers cannot be cancelled; ask the recipient to send the money back."),
 "declined_transfer": ("Transfers/Problems", "Why was my transfer declined?", "Transfers are declined when the balance is too low, the recipient's details are wrong, or our checks need more information. The app shows the reason on the transfer."),
 "failed_transfer": ("Transfers/Problems", "My transfer failed.", "Check the recipient's account details. When a transfer fails the money comes back to your balance, usually within 2 working days."),
 "pending_transfer": ("Transfers/Problems", "Why is my transfer pending?", "Transfers may stay pending while we run security checks or wait for the recipient's bank. Most complete within 1 working day; international ones can take up to 5."),
 "transfer_fee_charged": ("Transfers/Fees", "Why was I charged a fee for my transfer?", "Transfers in your account currency are free. International transfers and transfers in another currency have a fee shown before you confirm."),
 "transfer_into_account": ("Transfers/Receiving money", "How do I transfer money into my account?", "Send a bank transfer to the account details shown under Account > Details. Transfers in GBP arrive within hours; in EUR within 1 working day."),
 "transfer_not_received_by_recipient": ("Transfers/Problems", "The recipient has not received my transfer.", "Check the transfer status in the app. Completed transfers can take up to 1 working day to show in the recipient's bank. If it has been longer, send us the transfer reference and we will trace it."),
 "transfer_timing": ("Transfers/Sending money", "How long does a transfer take?", "Transfers in GBP and EUR usually arrive within 1 working day. International transfers take 1 to 5 working days depending on the country."),
 "beneficiary_not_allowed": ("Transfers/Sending money", "Why can I not add this beneficiary?", "We could not verify the beneficiary's details, or the country or bank is not supported. Check the details and try again; if it keeps failing, contact us."),
 "receiving_money": ("Transfers/Receiving money", "How can I receive money?", "Share your account details from Account > Details, or send a payment link. Money sent in another currency is converted on arrival unless you hold that currency."),
 "balance_not_updated_after_bank_transfer": ("Transfers/Receiving money", "My balance did not update after a bank transfer.", "Incoming transfers can take up to 1 working day, longer on weekends and holidays. If it has been longer, ask the sender for the transfer reference and contact us."),
 "atm_support": ("Cash and ATMs/Withdrawals", "Where can I withdraw cash with my card?", "You can use any ATM that shows the Mastercard or Visa sign. Withdrawals up to 200 GBP a month are free."),
 "cash_withdrawal_charge": ("Cash and ATMs/Fees", "Why was I charged for a cash withdrawal?", "Withdrawals are free up to 200 GBP a month; after that a 2% fee applies. The ATM owner may also charge its own fee, shown on the ATM screen."),
 "cash_withdrawal_not_recognised": ("Cash and ATMs/Problems", "There is a cash withdrawal I did not make.", "Freeze your card in the app at once and report the withdrawal under Transactions > Report. We will cancel the card and investigate."),
 "declined_cash_withdrawal": ("Cash and ATMs/Problems", "My cash withdrawal was declined.", "Check your balance, your PIN and your daily ATM limit under Card settings. Some ATMs refuse foreign cards; try another one."),
 "pending_cash_withdrawal": ("Cash and ATMs/Problems", "Why is my cash withdrawal pending?", "ATM withdrawals show as pending until the ATM's bank settles them, usually within 2 working days. If the ATM gave no money, the amount is released automatically."),
 "wrong_amount_of_cash_received": ("Cash and ATMs/Problems", "The ATM gave me the wrong amount of cash.", "Report it under Transactions > Report with the amount you received. We will ask the ATM's bank to check the machine; this usually takes 10 working days."),
 "wrong_exchange_rate_for_cash_withdrawal": ("Cash and ATMs/Fees", "The exchange rate for my cash withdrawal was wrong.", "Always choose to be charged in the local currency at the ATM. If the ATM converted it for you, its own rate applied, which we cannot change."),
 "balance_not_updated_after_cheque_or_cash_deposit": ("Cash and ATMs/Deposits", "My balance did not update after I deposited cash or a cheque.", "We do not take cash or cheque deposits. If you deposited at another bank, the money arrives when that bank sends it to us by transfer."),
 "exchange_rate": ("Exchange/Rates", "What exchange rate do you use?", "We use the interbank rate during market hours. On weekends a small mark-up applies to protect against price changes."),
 "exchange_charge": ("Exchange/Rates", "Is there a fee for exchanging money?", "Exchanges are free up to your plan's monthly allowance. Above it, and on weekends, a fee applies; it is shown before you confirm."),
 "exchange_via_app": ("Exchange/Currencies", "How do I exchange currencies in the app?", "Go to Exchange, choose the two currencies and the amount, check the rate and confirm. The money is converted at once."),
 "fiat_currency_support": ("Exchange/Currencies", "Which currencies can I hold and exchange?", "You can hold and exchange more than 30 currencies. See Account > Currencies for the list."),
 "age_limit": ("Account/Opening", "How old do I need to be to open an account?", "You must be 18 or older to open an account."),
 "country_support": ("Account/Opening", "Which countries do you support?", "You can open an account if you live in the UK or the EEA. The app lists the supported countries when you sign up."),
 "edit_personal_details": ("Account/Personal details", "How do I change my personal details?", "Change your address, email and phone under Account > Personal details. To change your name, send us a photo of an official document showing the new name."),
 "terminate_account": ("Account/Closing", "How do I close my account?", "Move your money out first, then go to Account > Close account. Closing is free and takes effect at once."),
 "lost_or_stolen_phone": ("Account/Security", "I lost my phone. What should I do?", "Sign in on another device or call us to freeze your account, then change your passcode. Your card keeps working unless you freeze it."),
 "passcode_forgotten": ("Account/Security", "I forgot my passcode.", "Tap Forgot passcode on the sign-in screen and follow the steps; we send a code to your email to confirm it is you."),
 "request_refund": ("Payments/Refunds", "How do I get a refund for a purchase?", "Ask the merchant for the refund first. If they refuse or do not answer within 15 days, open the payment in the app and choose Dispute."),
 "Refund_not_showing_up": ("Payments/Refunds", "My refund is not showing up.", "Refunds take up to 5 working days after the merchant sends them. If the merchant confirmed it more than 5 working days ago, send us their confirmation."),
 "why_verify_identity": ("Account/Identity", "Why do I need to verify my identity?", "The law requires us to know who our customers are, and it protects your account from fraud. Verification takes a few minutes in the app."),
 "unable_to_verify_identity": ("Account/Identity", "I cannot verify my identity.", "Use a valid passport, national ID card or driving licence, take the photo in good light with all corners visible, and make sure your name matches your profile. If it still fails, contact us from the app."),
 "verify_my_identity": ("Account/Identity", "How do I verify my identity?", "Go to Account > Verify identity, take a photo of an official ID and a selfie. Most checks are done within minutes."),
 "verify_source_of_funds": ("Account/Identity", "Why do you ask where my money comes from?", "For some payments the law requires us to check the source of funds. Upload a payslip, bank statement or sale contract in the app; we check it within 2 working days."),
}

def main():
    by_intent = collections.defaultdict(list)
    with open(SOURCE, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_intent[row["category"]].append(" ".join(row["text"].split()))
    missing = set(by_intent) ^ set(POINTS)
    assert not missing, f"intents without a demo point or without data: {missing}"
    out = ROOT / "demo/banking77-en.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["category", "question", "answer", "phrasings"])
        for intent, (path, question, answer) in sorted(POINTS.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            seen, phrasings = {question.lower()}, []
            for i, text in enumerate(by_intent[intent]):
                if i % 5 == 0 or "|" in text or len(text) > 200 or text.lower() in seen:
                    continue
                seen.add(text.lower())
                phrasings.append(text)
                if len(phrasings) == 12:
                    break
            w.writerow([path, question, answer, "|".join(phrasings)])
    print(f"wrote {out} ({len(POINTS)} knowledge points)")

main()
