//! Which device the page is open on, guessed from the browser's user agent:
//! "Set up a device" starts on its client, and Apple's profile says how to
//! reach a phone when the page is open on a computer. The user agent is
//! enough: even Chromium's reduced one keeps "Android" and "Macintosh".

use leptos::prelude::window;

/// What the browser says it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThisDevice {
    /// An iPhone, iPad or iPod: the profile installs right here.
    IPhoneOrIPad,
    /// A Mac.
    Mac,
    /// An Android phone or tablet.
    Android,
    /// Anything else (Windows, Linux, unknown).
    Other,
}

impl ThisDevice {
    /// The device of this browser.
    pub fn guess() -> Self {
        let navigator = window().navigator();
        let agent = navigator.user_agent().unwrap_or_default();
        Self::from_agent(&agent, navigator.max_touch_points())
    }

    /// The device `agent` names; `touch_points` tells an iPad, whose
    /// Safari says it is a Mac.
    fn from_agent(agent: &str, touch_points: i32) -> Self {
        let says = |word: &str| agent.contains(word);
        if says("iPhone") || says("iPad") || says("iPod") {
            Self::IPhoneOrIPad
        } else if says("Android") {
            Self::Android
        } else if says("Macintosh") && touch_points > 1 {
            Self::IPhoneOrIPad
        } else if says("Macintosh") {
            Self::Mac
        } else {
            Self::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_name_their_device() {
        for (agent, touch, device) in [
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 5, ThisDevice::IPhoneOrIPad),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", 5, ThisDevice::IPhoneOrIPad),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", 0, ThisDevice::Mac),
            ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 5, ThisDevice::Android),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", 0, ThisDevice::Other),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 10, ThisDevice::Other),
        ] {
            assert_eq!(ThisDevice::from_agent(agent, touch), device, "{agent}");
        }
    }
}
