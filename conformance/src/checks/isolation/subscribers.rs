//! Subscribers with their sub-resources (credentials, online status, preferences, feed), and
//! topics with their members, probed across environments.

use serde_json::{Value, json};

use super::probe::{NOT_FOUND, Probe, UNKNOWN, has};

/// A subscriber of the owner: the other key reaches neither it nor its sub-resources, and
/// upserting the same `subscriberId` makes a subscriber of its own.
pub(super) async fn subscribers(probe: &Probe<'_>) {
    let id = probe.name("subscriber");
    let path = [("subscriberId", id.as_str())];
    probe
        .owner(
            "subscribers_create",
            &[],
            Some(json!({
                "subscriberId": id,
                "firstName": "Owner",
                "lastName": "Isolated",
                "data": {"owner": true},
            })),
        )
        .await;
    let Some(before) = probe.owner("subscribers_get", &path, None).await else {
        probe.discard("subscribers_delete", &path, None).await;
        return;
    };
    let what = "a subscriber";
    let check = async |write| {
        probe
            .unchanged(write, "subscribers_get", &path, &before, what)
            .await
    };

    probe
        .refused("subscribers_get", &path, None, NOT_FOUND, what)
        .await;
    probe
        .unlisted(
            "subscribers_list",
            &[],
            |item| has(item, "subscriberId", &id) && item.get("_id") == before.get("_id"),
            what,
        )
        .await;
    let written = probe
        .refused(
            "subscribers_update",
            &path,
            Some(json!({"firstName": "Intruder"})),
            UNKNOWN,
            what,
        )
        .await;
    check(written).await;
    let credentials = json!({
        "providerId": "slack",
        "credentials": {"webhookUrl": "https://hooks.example.invalid/intruder"},
    });
    for operation in [
        "subscriber_credentials_update",
        "subscriber_credentials_append",
    ] {
        let written = probe
            .refused(
                operation,
                &path,
                Some(credentials.clone()),
                UNKNOWN,
                "a subscriber's credentials",
            )
            .await;
        check(written).await;
    }
    let written = probe
        .refused(
            "subscriber_credentials_delete",
            &[("subscriberId", id.as_str()), ("providerId", "slack")],
            None,
            UNKNOWN,
            "a subscriber's credentials",
        )
        .await;
    check(written).await;
    let written = probe
        .refused(
            "subscriber_online_status_update",
            &path,
            Some(json!({"isOnline": true})),
            UNKNOWN,
            "a subscriber's online status",
        )
        .await;
    check(written).await;
    probe
        .refused(
            "subscriber_preferences_list",
            &path,
            None,
            UNKNOWN,
            "a subscriber's preferences",
        )
        .await;
    probe
        .refused(
            "subscriber_preferences_get_by_level",
            &[("subscriberId", id.as_str()), ("parameter", "global")],
            None,
            UNKNOWN,
            "a subscriber's preferences",
        )
        .await;
    let written = probe
        .refused(
            "subscriber_preferences_update_global",
            &path,
            Some(json!({"enabled": false})),
            UNKNOWN,
            "a subscriber's preferences",
        )
        .await;
    check(written).await;
    let global = [("subscriberId", id.as_str()), ("parameter", "global")];
    let preferences = probe
        .owner("subscriber_preferences_get_by_level", &global, None)
        .await;
    probe
        .refused(
            "subscriber_notifications_feed",
            &path,
            None,
            UNKNOWN,
            "a subscriber's feed",
        )
        .await;
    probe
        .refused(
            "subscriber_notifications_unseen_count",
            &path,
            None,
            UNKNOWN,
            "a subscriber's feed",
        )
        .await;
    let written = probe
        .refused(
            "subscriber_messages_mark_all",
            &path,
            Some(json!({"markAs": "read"})),
            UNKNOWN,
            "a subscriber's feed",
        )
        .await;
    check(written).await;
    let written = probe
        .refused("subscribers_delete", &path, None, NOT_FOUND, what)
        .await;
    check(written).await;

    // An upsert of the same id makes the other environment's own subscriber.
    let written = probe
        .other(
            "subscribers_create",
            &[],
            Some(json!({"subscriberId": id, "firstName": "Intruder"})),
        )
        .await;
    check(written).await;
    let written = probe
        .other(
            "subscriber_preferences_update_global",
            &path,
            Some(json!({"enabled": false})),
        )
        .await;
    if let Some(preferences) = &preferences {
        probe
            .unchanged(
                written,
                "subscriber_preferences_get_by_level",
                &global,
                preferences,
                "a subscriber's preferences",
            )
            .await;
    }
    let written = probe.other("subscribers_delete", &path, None).await;
    check(written).await;
    probe.discard("subscribers_delete", &path, None).await;
}

/// A topic of the owner with a member: the other key reaches neither, and making the same key
/// makes a topic of its own.
pub(super) async fn topics(probe: &Probe<'_>) {
    let key = probe.name("topic");
    let member = probe.name("member");
    if probe
        .owner(
            "subscribers_create",
            &[],
            Some(json!({"subscriberId": member})),
        )
        .await
        .is_none()
    {
        return;
    }
    let topic = [("topicKey", key.as_str())];
    let membership = [
        ("topicKey", key.as_str()),
        ("externalSubscriberId", member.as_str()),
    ];
    let made = probe
        .owner(
            "topics_create",
            &[],
            Some(json!({"key": key, "name": "Owner"})),
        )
        .await;
    let added = probe
        .owner(
            "topic_subscribers_add",
            &topic,
            Some(json!({"subscribers": [member]})),
        )
        .await;
    let before = probe.owner("topics_get", &topic, None).await;
    let member_before = probe
        .owner("topic_subscribers_get", &membership, None)
        .await;
    if let (Some(_), Some(_), Some(before), Some(member_before)) =
        (made, added, before, member_before)
    {
        probe_topic(probe, &key, &member, &before, &member_before).await;
    }
    probe
        .discard(
            "topic_subscribers_remove",
            &topic,
            Some(json!({"subscribers": [member]})),
        )
        .await;
    probe.discard("topics_delete", &topic, None).await;
    probe
        .discard(
            "subscribers_delete",
            &[("subscriberId", member.as_str())],
            None,
        )
        .await;
}

async fn probe_topic(
    probe: &Probe<'_>,
    key: &str,
    member: &str,
    before: &Value,
    member_before: &Value,
) {
    let what = "a topic";
    let topic = [("topicKey", key)];
    let membership = [("topicKey", key), ("externalSubscriberId", member)];
    let check = async |write| {
        probe
            .unchanged(write, "topics_get", &topic, before, what)
            .await
    };
    let check_member = async |write| {
        probe
            .unchanged(
                write,
                "topic_subscribers_get",
                &membership,
                member_before,
                "a topic's member",
            )
            .await
    };
    probe
        .refused("topics_get", &topic, None, NOT_FOUND, what)
        .await;
    probe
        .refused(
            "topic_subscribers_get",
            &membership,
            None,
            NOT_FOUND,
            "a topic's member",
        )
        .await;
    probe
        .unlisted(
            "topics_list",
            &[("key", key.to_owned())],
            |item| has(item, "key", key) && item.get("_id") == before.get("_id"),
            what,
        )
        .await;
    let written = probe
        .refused(
            "topics_rename",
            &topic,
            Some(json!({"name": "Intruder"})),
            NOT_FOUND,
            what,
        )
        .await;
    check(written).await;
    // Novu answers a removal from an unknown topic without looking further: only the owner's
    // membership matters.
    let written = probe
        .other(
            "topic_subscribers_remove",
            &topic,
            Some(json!({"subscribers": [member]})),
        )
        .await;
    check_member(written).await;
    let written = probe
        .refused("topics_delete", &topic, None, NOT_FOUND, what)
        .await;
    check(written).await;

    // The same key in the other environment is a topic of its own.
    let written = probe
        .other(
            "topics_create",
            &[],
            Some(json!({"key": key, "name": "Intruder"})),
        )
        .await;
    check(written).await;
    let written = probe
        .other("topics_rename", &topic, Some(json!({"name": "Intruder"})))
        .await;
    check(written).await;
    let written = probe.other("topics_delete", &topic, None).await;
    check(written).await;
}
