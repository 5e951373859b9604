//! The source documents the catalogue is drawn from (the five practitioner pages in
//! `shared/seeds/`). Every catalogue entry names the files that describe it.

/// One source document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceDoc {
    /// The file name in `shared/seeds/`, as catalogue entries cite it.
    pub doc: &'static str,
    /// The page's title.
    pub title: &'static str,
    /// Who wrote it, by profession.
    pub author: &'static str,
    /// How often the page says to stretch, in our words, when it says.
    pub frequency: Option<&'static str>,
}

/// Every source document, in file order.
pub const SOURCE_DOCS: &[SourceDoc] = &[
    SourceDoc {
        doc: "000_1e588459a290134c.txt",
        title: "5 Easy Ways to Relieve Sore Back Muscles",
        author: "physical therapist",
        frequency: None,
    },
    SourceDoc {
        doc: "001_6a7c16de5b949252.txt",
        title: "Lower back pain relief: seven favourite treatments",
        author: "physical therapist",
        frequency: None,
    },
    SourceDoc {
        doc: "002_0d052247460285cc.txt",
        title: "Best Back Pain Relief Stretches and Exercises",
        author: "chiropractor",
        frequency: Some("every day"),
    },
    SourceDoc {
        doc: "003_4d82bd3aa61e7a0f.txt",
        title: "Stretches To Relieve Back Pain",
        author: "spine centre",
        frequency: None,
    },
    SourceDoc {
        doc: "004_d2bda4136e4f28c7.txt",
        title: "Effective Stretches for Back Pain (Part 1 of 3)",
        author: "massage therapist",
        frequency: Some("at least three times a week"),
    },
];

/// Looks a source document up by its file name.
pub fn source_doc(doc: &str) -> Option<&'static SourceDoc> {
    SOURCE_DOCS.iter().find(|d| d.doc == doc)
}
