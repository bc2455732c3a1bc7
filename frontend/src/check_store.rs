//! The check page's state: the repository typed, the confirmation that
//! names it before anything is pushed, and the check's results as they
//! stream in. The request is made here; the page only renders.

use leptos::prelude::*;

use crate::api;
use crate::check_progress::CheckProgress;
use crate::credentials_store::CredentialsStore;
use crate::streamed;

#[derive(Debug, Clone, Copy)]
pub struct CheckStore {
    repository: RwSignal<String>,
    /// The repository a person is asked to confirm pushing test content to.
    confirming: RwSignal<Option<String>>,
    progress: RwSignal<Option<CheckProgress>>,
    credentials: CredentialsStore,
}

impl CheckStore {
    pub fn install(credentials: CredentialsStore) -> CheckStore {
        let store = CheckStore {
            repository: RwSignal::new(String::new()),
            confirming: RwSignal::new(None),
            progress: RwSignal::new(None),
            credentials,
        };
        provide_context(store);
        store
    }

    pub fn use_store() -> CheckStore {
        expect_context::<CheckStore>()
    }

    pub fn repository(&self) -> String {
        self.repository.get()
    }

    /// Typing another repository withdraws a question about the last one.
    pub fn set_repository(&self, text: String) {
        self.repository.set(text);
        self.confirming.set(None);
    }

    pub fn confirming(&self) -> Option<String> {
        self.confirming.get()
    }

    pub fn progress(&self) -> Option<CheckProgress> {
        self.progress.get()
    }

    pub fn running(&self) -> bool {
        self.progress
            .with(|p| p.as_ref().is_some_and(CheckProgress::is_running))
    }

    /// "Check": ask before pushing anything, naming the repository.
    pub fn ask(&self) {
        let repository = self.repository.get_untracked().trim().to_string();
        if !repository.is_empty() && !self.running() {
            self.confirming.set(Some(repository));
        }
    }

    pub fn cancel(&self) {
        self.confirming.set(None);
    }

    /// The person confirmed: run the check on the repository they were shown.
    pub fn confirm(&self) {
        let Some(repository) = self.confirming.get_untracked() else {
            return;
        };
        self.confirming.set(None);
        let credentials = self.credentials.current();
        let progress = self.progress;
        progress.set(Some(CheckProgress::new(&repository)));
        streamed::follow(progress, move |on_event| async move {
            api::check(&repository, &credentials, on_event).await
        });
    }
}
