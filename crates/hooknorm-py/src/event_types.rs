//! The dotted `type` names of the Python API, one per contract event type.

use hooknorm::WebhookEventType;

/// The dotted name of an event type (`PAYMENT_INTENT_SUCCESS` -> `payment.captured`).
///
/// Every contract event type has one; several may share a name when a host would act on them
/// alike (a successful payment and a successful capture both mean the money was taken).
pub(crate) fn dotted(t: WebhookEventType) -> &'static str {
    use WebhookEventType::*;
    match t {
        PaymentIntentSuccess | PaymentIntentCaptureSuccess => "payment.captured",
        PaymentIntentFailure => "payment.failed",
        PaymentIntentProcessing => "payment.processing",
        PaymentIntentPartiallyFunded => "payment.partially_funded",
        PaymentIntentCancelled => "payment.cancelled",
        PaymentIntentCancelFailure => "payment.cancel_failed",
        PaymentIntentAuthorizationSuccess => "payment.authorized",
        PaymentIntentAuthorizationFailure => "payment.authorization_failed",
        PaymentIntentCaptureFailure => "payment.capture_failed",
        PaymentIntentExpired => "payment.expired",
        PaymentActionRequired => "payment.action_required",
        SourceChargeable => "source.chargeable",
        SourceTransactionCreated => "source.transaction_created",
        WebhookRefundSuccess => "refund.succeeded",
        WebhookRefundFailure => "refund.failed",
        WebhookDisputeOpened => "dispute.opened",
        WebhookDisputeExpired => "dispute.expired",
        WebhookDisputeAccepted => "dispute.accepted",
        WebhookDisputeCancelled => "dispute.cancelled",
        WebhookDisputeChallenged => "dispute.challenged",
        WebhookDisputeWon => "dispute.won",
        WebhookDisputeLost => "dispute.lost",
        MandateActive => "mandate.active",
        MandateFailed => "mandate.failed",
        MandateRevoked => "mandate.revoked",
        EndpointVerification => "endpoint.verification",
        ExternalAuthenticationAres => "authentication.ares",
        FrmApproved => "fraud_check.approved",
        FrmRejected => "fraud_check.rejected",
        PayoutSuccess => "payout.succeeded",
        PayoutFailure => "payout.failed",
        PayoutProcessing => "payout.processing",
        PayoutCancelled => "payout.cancelled",
        PayoutCreated => "payout.created",
        PayoutExpired => "payout.expired",
        PayoutReversed => "payout.reversed",
        RecoveryPaymentSuccess => "recovery.payment_succeeded",
        RecoveryPaymentFailure => "recovery.payment_failed",
        RecoveryPaymentPending => "recovery.payment_pending",
        RecoveryInvoiceCancel => "recovery.invoice_cancelled",
        EventNotSupported => "event.unsupported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dotted_and_only_captures_share_one() {
        let mut seen = std::collections::BTreeMap::new();
        for t in WebhookEventType::ALL {
            let name = dotted(*t);
            let (head, tail) = name.split_once('.').expect("a dotted name");
            assert!(!head.is_empty() && !tail.is_empty() && !tail.contains('.'));
            seen.entry(name).or_insert_with(Vec::new).push(*t);
        }
        for (name, types) in seen {
            if types.len() > 1 {
                assert_eq!(name, "payment.captured", "{types:?}");
                assert_eq!(types.len(), 2);
            }
        }
    }
}
