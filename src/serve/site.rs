//! The texts a server serves: every text of the policy directory, each
//! loaded with the texts it amends and checked once, at start, and which of
//! them is in force from which date.

use std::path::Path;

use jiff::civil::Date;

use crate::{LoadError, Loaded};

/// One text of the directory, with its chain.
pub struct Text {
    pub loaded: Loaded,
    pub effective: Option<Date>,
    pub proposal: bool,
    pub amends: Option<String>,
}

/// A policy directory, read and checked.
pub struct Site {
    /// The directory as the user named it: outcomes name it as `eval` does.
    pub directory: String,
    /// Every text, in file-name order.
    pub texts: Vec<Text>,
    /// Every text parsed as read: what a text sent to the playground is
    /// checked among, without parsing them again.
    pub parsed: crate::chain::InMemory,
    /// From each date on, the text in force (by its place in `texts`), if
    /// any; in date order, the first from the earliest date there is.
    in_force: Vec<(Date, Option<usize>)>,
}

impl Site {
    /// Reads and checks every text of `directory`; the first problem stops
    /// the start. Which text is in force on a date is what
    /// [`crate::load_in_force`] says on each date a text takes effect.
    pub fn load(directory: &Path) -> Result<Site, LoadError> {
        let (paths, _outside) = crate::chain::policy_files_in(directory)
            .map_err(|error| LoadError::Io { path: directory.display().to_string(), error })?;
        let mut loader = crate::chain::Loader::default();
        let (mut texts, mut files) = (Vec::new(), Vec::new());
        for path in &paths {
            let header = loader.load_text(path)?.merged.file.header;
            let effective = header.effective().map(|(date, _)| date);
            let proposal = header.is_proposal();
            let amends = header.amends().map(|name| name.name);
            // As `eval --proposal NAME` loads it: with the fields of every
            // text of its family that a profile may carry.
            let loaded = crate::load_chosen(directory, Date::MAX, Some(&header.name.name))?;
            // The text's own file: the one its name is written in.
            let source = loaded.policy.sources().file(loaded.merged.file.header.name.span.file);
            files.push((source.path.clone(), source.text.to_string()));
            texts.push(Text { loaded, effective, proposal, amends });
        }
        let mut dates: Vec<Date> =
            texts.iter().filter(|text| !text.proposal).filter_map(|text| text.effective).collect();
        dates.push(Date::MIN);
        dates.sort();
        dates.dedup();
        let mut in_force = Vec::new();
        for date in dates {
            let chosen = match crate::load_in_force(directory, date) {
                Ok(loaded) => texts.iter().position(|text| text.name() == loaded.policy.header.name),
                Err(LoadError::NoTextInForce { .. }) => None,
                Err(error) => return Err(error),
            };
            in_force.push((date, chosen));
        }
        let parsed = crate::chain::InMemory::parse(files);
        Ok(Site { directory: directory.display().to_string(), texts, parsed, in_force })
    }

    /// The text in force on `on`, as `avenant eval DIRECTORY --on` picks it.
    pub fn in_force(&self, on: Date) -> Option<&Text> {
        let (_, chosen) = self.in_force.iter().rev().find(|(from, _)| *from <= on)?;
        chosen.and_then(|index| self.texts.get(index))
    }

    pub fn named(&self, name: &str) -> Option<&Text> {
        self.texts.iter().find(|text| text.name() == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(Text::name)
    }
}

impl Text {
    pub fn name(&self) -> &str {
        &self.loaded.policy.header.name
    }
}
