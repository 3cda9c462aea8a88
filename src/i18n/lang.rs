//! The languages the app speaks and how a language tag picks one.

/// A language the app speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    /// English, the fallback.
    #[default]
    En,
    /// German.
    De,
    /// Arabic, written right to left.
    Ar,
}

impl Lang {
    /// Every language, in the order the switcher lists them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::De, Lang::Ar];

    /// The BCP 47 tag, as in `lang="…"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Ar => "ar",
        }
    }

    /// The writing direction, as in `dir="…"`.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Ar => "rtl",
            Self::En | Self::De => "ltr",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Ar => "العربية",
        }
    }

    /// The language a tag such as `de-AT` or `ar_EG` asks for, if the app
    /// speaks it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|lang| lang.code() == primary)
    }

    /// The first language of `tags` (most preferred first) the app speaks.
    pub fn first_spoken<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        tags.into_iter().find_map(Self::from_tag)
    }

    /// Where the catalogue is, relative to the app's files: every language
    /// but English is fetched when it is needed (English is built in, the
    /// fallback), so that nobody downloads the languages they do not read.
    pub fn catalogue_path(self) -> String {
        format!("locales/{}.json", self.code())
    }
}
