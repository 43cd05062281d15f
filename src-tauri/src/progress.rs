//! Forwards core's progress events to the webview over a `tauri::ipc::Channel`.

use berth_core::progress::{Progress, ProgressSink};
use tauri::ipc::Channel;

// The first long-running commands (image build and push) take this as their sink.
#[cfg_attr(not(test), allow(dead_code))]
pub struct ChannelSink(pub Channel<Progress>);

impl ProgressSink for ChannelSink {
    fn emit(&self, event: Progress) {
        // A closed window drops the channel; the work itself carries on or is cancelled by the
        // caller, so a failed send is not an error of the operation.
        let _ = self.0.send(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tauri::ipc::InvokeResponseBody;

    #[test]
    fn events_reach_the_channel_as_tagged_json_in_order() {
        let received = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
        let sink = received.clone();
        let channel = Channel::new(move |body| {
            let InvokeResponseBody::Json(text) = body else {
                panic!("progress must be sent as JSON");
            };
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(&text).unwrap());
            Ok(())
        });
        let sink = ChannelSink(channel);
        sink.emit(Progress::Started {
            operation: "push".into(),
        });
        sink.emit(Progress::Bytes {
            item: "layer".into(),
            done: 5,
            total: None,
        });
        sink.emit(Progress::Finished);
        let received = received.lock().unwrap();
        let tags: Vec<_> = received.iter().map(|v| v["event"].clone()).collect();
        assert_eq!(tags, ["started", "bytes", "finished"]);
        assert_eq!(received[1]["done"], 5);
    }
}
