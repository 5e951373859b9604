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
    /// Who wrote it, as the page gives it: a name with the profession, or the profession
    /// alone when the page names nobody.
    pub by: &'static str,
    /// How often the page says to stretch, in our words, when it says.
    pub frequency: Option<&'static str>,
}

/// Every source document, in file order.
pub const SOURCE_DOCS: &[SourceDoc] = &[
    SourceDoc {
        doc: "000_1e588459a290134c.txt",
        title: "5 Easy Ways to Relieve Sore Back Muscles",
        author: "physical therapist",
        by: "Doctor Jo, physical therapist",
        frequency: None,
    },
    SourceDoc {
        doc: "001_6a7c16de5b949252.txt",
        title: "Lower back pain relief: seven favourite treatments",
        author: "physical therapist",
        by: "Doctor Jo, physical therapist",
        frequency: None,
    },
    SourceDoc {
        doc: "002_0d052247460285cc.txt",
        title: "Best Back Pain Relief Stretches and Exercises",
        author: "chiropractor",
        by: "a chiropractor",
        frequency: Some("every day"),
    },
    SourceDoc {
        doc: "003_4d82bd3aa61e7a0f.txt",
        title: "Stretches To Relieve Back Pain",
        author: "spine centre",
        by: "Non-Surgical Spine Center",
        frequency: None,
    },
    SourceDoc {
        doc: "004_d2bda4136e4f28c7.txt",
        title: "Effective Stretches for Back Pain (Part 1 of 3)",
        author: "massage therapist",
        by: "Nicole, massage therapist",
        frequency: Some("at least three times a week"),
    },
];

impl SourceDoc {
    /// Who wrote it, in words.
    pub fn author_text(&self) -> String {
        self.by.to_string()
    }

    /// The page by title and author: `"5 Easy Ways to Relieve Sore Back Muscles" by Doctor
    /// Jo, physical therapist`.
    pub fn cite(&self) -> String {
        format!("\"{}\" by {}", self.title, self.author_text())
    }
}

/// Looks a source document up by its file name.
pub fn source_doc(doc: &str) -> Option<&'static SourceDoc> {
    SOURCE_DOCS.iter().find(|d| d.doc == doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_cited_by_title_and_author() {
        let cites: Vec<String> = SOURCE_DOCS.iter().map(SourceDoc::cite).collect();
        assert_eq!(
            cites[0],
            "\"5 Easy Ways to Relieve Sore Back Muscles\" by Doctor Jo, physical therapist"
        );
        assert_eq!(
            cites[2],
            "\"Best Back Pain Relief Stretches and Exercises\" by a chiropractor"
        );
        assert_eq!(
            cites[3],
            "\"Stretches To Relieve Back Pain\" by Non-Surgical Spine Center"
        );
        assert!(cites[4].ends_with("by Nicole, massage therapist"));
        for c in &cites {
            assert!(!c.contains(".txt"), "{c}");
        }
    }
}
