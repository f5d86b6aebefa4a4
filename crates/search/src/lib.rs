//! The full-text index of published information items.
//!
//! The index is derived data: it holds nothing the database does not, and `gongkai reindex`
//! rebuilds it from the database at any time. Each server process keeps its own index directory
//! and is its only writer (one `IndexWriter` per process); the database's search outbox tells
//! every server which items changed, so several servers on one PostgreSQL database each keep
//! their own index correct.
//!
//! **What a hit is.** Text is folded before it is indexed *and* before a query is read
//! ([`Normalizer::normalize`]: Traditional → Simplified, full-width → half-width, lower case,
//! every year bracket → 〔〕). Every run of one to six characters of an item's folded text is
//! a term (no positions), so a query word of up to six characters is one term lookup that
//! matches exactly the items containing it. Every run of four characters is also indexed with
//! its position, per field: a longer word is the phrase of the runs that cover it
//! (老旧小区改造 → 老旧小区@0 小区改造@2), which matches exactly the texts that contain it
//! contiguously, checked only where its first and last six characters occur. Every word must
//! occur in the title, the document number or the body. So the set of
//! hits is exactly the set of items whose folded text contains each folded word, with no
//! dictionary in between (a segmenter would both miss words it cuts differently and find words
//! whose parts merely occur apart).
//!
//! **Order.** By relevance: an exact document number first, then the number of words found in
//! the title, then in the document number, then the newest; or newest first.

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use gongkai_domain::disclosure::{DOC_KINDS, doc_kind, normalize_doc_no};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{TextAnalyzer, Token};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index could not be opened, read or written.
    #[error("搜索索引错误（search index error）：{0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be used.
    #[error("搜索索引目录错误：{0}")]
    Io(#[from] std::io::Error),
    /// The Traditional/Simplified converter could not be loaded.
    #[error("繁简转换词典加载失败：{0}")]
    Opencc(String),
    /// The index lock is poisoned (a writer panicked).
    #[error("搜索索引写入器不可用")]
    Poisoned,
    /// Another process (a running server) holds the index for writing.
    #[error("搜索索引正被另一进程（如正在运行的服务器）使用")]
    Busy,
}

/// Result alias.
pub type Result<T> = std::result::Result<T, SearchError>;

/// Text normalisation shared by indexing and querying.
pub struct Normalizer {
    t2s: OpenCC,
}

impl Normalizer {
    /// Loads the converter (its dictionaries are compiled into the binary).
    pub fn new() -> Result<Normalizer> {
        Ok(Normalizer {
            t2s: OpenCC::from_config(BuiltinConfig::T2s)
                .map_err(|e| SearchError::Opencc(e.to_string()))?,
        })
    }

    /// Traditional → Simplified only (text kept for people to read: punctuation and case as
    /// written).
    pub fn simplified(&self, text: &str) -> String {
        self.t2s.convert(text)
    }

    /// The folded form matching sees: Traditional → Simplified, full-width → half-width,
    /// lower-case Latin, and every bracket people type around a document number's year —
    /// 〔〕 [] ［］ () （） 【】 — as 〔〕.
    pub fn normalize(&self, text: &str) -> String {
        let half: String = text
            .chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect();
        self.t2s
            .convert(&half)
            .chars()
            .map(|c| match c {
                '[' | '(' | '【' | '〔' | '⟦' => '〔',
                ']' | ')' | '】' | '〕' | '⟧' => '〕',
                c if c.is_ascii_uppercase() => c.to_ascii_lowercase(),
                c => c,
            })
            .collect()
    }

    /// The words of a query, folded: split at spaces and at the punctuation that separates
    /// words (，、；;,。), each kept once, and a word contained in another dropped (it adds
    /// nothing to what must be found).
    pub fn query_words(&self, query: &str) -> Vec<String> {
        let folded = self.normalize(query);
        let mut words: Vec<String> = Vec::new();
        for w in folded.split(|c: char| c.is_whitespace() || "，、；;,。".contains(c)) {
            if w.chars().any(char::is_alphanumeric) && !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
        }
        let all = words.clone();
        words.retain(|w| !all.iter().any(|o| o != w && o.contains(w.as_str())));
        words
    }
}

/// The queries of the search benchmark (`bench/searchbench`) and of the precision test that
/// checks every one of them against a brute-force count: single words, several words, words
/// that are also parts of others, Traditional characters, a document number.
pub const BENCHMARK_QUERIES: &[&str] = &[
    "义务教育",
    "招生",
    "养老服务",
    "食品安全",
    "政府采购",
    "社会救助",
    "就业创业",
    "不动产登记",
    "防汛防台",
    "营商环境",
    "招生 入学",
    "食品安全 监管",
    "养老服务 补贴",
    "政务服务 一网通办",
    "老旧小区改造 资金",
    "乡村振兴 集体经济 公开",
    "安全生产 专项检查 通知",
    "學前教育",
    "區政辦發〔2022〕12號",
];

/// The text of an item that search reads as its body: the summary, then the body text, then
/// the text of its attachments. The index and every count of what it should find (the
/// precision test, the benchmark) build it here, so that they agree on what an item says.
pub fn indexed_body(summary: &str, body_text: &str, attachments_text: &str) -> String {
    format!("{summary}\n{body_text}{attachments_text}")
}

/// Whether `text` contains every word after folding (the definition of a hit, by brute force:
/// the index must agree with it).
pub fn contains_all(normalizer: &Normalizer, texts: &[&str], words: &[String]) -> bool {
    let folded: Vec<String> = texts.iter().map(|t| normalizer.normalize(t)).collect();
    words
        .iter()
        .all(|w| folded.iter().any(|t| t.contains(w.as_str())))
}

/// One item as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDoc {
    /// Item id.
    pub id: u64,
    /// 索引号.
    pub index_no: String,
    /// 标题.
    pub title: String,
    /// 文号.
    pub doc_no: String,
    /// Summary and body (and attachment text) to search: see [`indexed_body`].
    pub body: String,
    /// Publishing unit.
    pub unit_id: u64,
    /// Unit name (shown in results).
    pub unit_name: String,
    /// Category.
    pub category_id: u64,
    /// Category name.
    pub category_name: String,
    /// Year formed.
    pub year: u64,
    /// Publication time, Unix seconds (date order).
    pub published_ts: i64,
    /// Publication date shown, YYYY-MM-DD.
    pub published_on: String,
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Exact document number, then words in the title, then the newest.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What the user typed.
    pub query: String,
    /// Only this unit.
    pub unit_id: Option<u64>,
    /// Only this category.
    pub category_id: Option<u64>,
    /// Only this year formed.
    pub year: Option<u64>,
    /// Only this document type (an index into [`DOC_KINDS`]).
    pub kind: Option<u64>,
    /// Order.
    pub sort: SortBy,
    /// Results to skip.
    pub offset: usize,
    /// Results to return.
    pub limit: usize,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Item id.
    pub id: u64,
    /// 索引号.
    pub index_no: String,
    /// Title, HTML with `<mark>` around matches (escaped otherwise).
    pub title_html: String,
    /// 文号.
    pub doc_no: String,
    /// A passage of the body, HTML with `<mark>` around matches.
    pub snippet_html: String,
    /// Unit name.
    pub unit_name: String,
    /// Category name.
    pub category_name: String,
    /// Publication date.
    pub published_on: String,
    /// Relevance score: 100 for the exact document number, 10 per word in the title, 5 per
    /// word in the document number (ties go to the newest).
    pub score: f32,
}

/// One value of a facet and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FacetValue {
    /// The value (unit id, category id, year, or document-type index).
    pub id: u64,
    /// Its name as shown.
    pub name: String,
    /// Hits with this value.
    pub count: usize,
}

/// Counts of the hits by unit, category, year formed and document type (each most frequent
/// first, at most [`FACET_VALUES`] values; years newest first).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Facets {
    /// By publishing unit.
    pub units: Vec<FacetValue>,
    /// By catalog category.
    pub categories: Vec<FacetValue>,
    /// By year formed.
    pub years: Vec<FacetValue>,
    /// By document type (文种).
    pub kinds: Vec<FacetValue>,
}

/// Values kept per facet.
pub const FACET_VALUES: usize = 12;

/// Another query worth trying when nothing was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The query to try.
    pub query: String,
    /// Why it is offered, for people.
    pub reason: String,
    /// How many items it finds (only suggestions that find something are offered).
    pub total: usize,
}

/// Results of one search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchResults {
    /// Matching items, counted exactly.
    pub total: usize,
    /// The words searched for, folded (what every hit contains).
    pub words: Vec<String>,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// Counts of all the hits by unit, category, year and document type.
    pub facets: Facets,
    /// When nothing was found: other queries that find something.
    pub suggestions: Vec<Suggestion>,
}

struct Fields {
    id: Field,
    index_no: Field,
    title: Field,
    doc_no: Field,
    doc_no_exact: Field,
    body: Field,
    any: Field,
    unit_id: Field,
    unit_name: Field,
    category_id: Field,
    category_name: Field,
    year: Field,
    kind: Field,
    facet_key: Field,
    published_ts: Field,
    published_on: Field,
}

/// Runs of one to four characters, with positions (titles and document numbers).
const GRAMS: &str = "gongkai_runs_1_4";
/// Runs of four characters, with positions (bodies: for words longer than four).
const QUADS: &str = "gongkai_quads";
/// Every run of one to [`LOOKUP`] characters, without positions (title, number and body
/// together): a word that short is one term.
const RUNS: &str = "gongkai_runs_1_6";
/// The longest word found by one term of the runs without positions.
const LOOKUP: usize = 6;
/// The length of the runs with positions: the longest word one term finds in a field, and
/// the pieces longer words are phrases of.
const WHOLE: usize = 4;

/// Folds the text ([`Normalizer::normalize`]) and emits, at each character's position, the
/// runs of `sizes` characters that start there. Whitespace emits nothing but keeps its
/// position, so no run spans it.
#[derive(Clone)]
struct GramTokenizer {
    normalizer: Arc<Normalizer>,
    sizes: &'static [usize],
}

/// A token stream that owns its tokens.
struct OwnedTokens {
    tokens: Vec<Token>,
    next: usize,
}

impl tantivy::tokenizer::TokenStream for OwnedTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl tantivy::tokenizer::Tokenizer for GramTokenizer {
    type TokenStream<'a> = OwnedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> OwnedTokens {
        let folded = self.normalizer.normalize(text);
        let chars: Vec<(usize, char)> = folded.char_indices().collect();
        let end_of = |i: usize| chars.get(i).map_or(folded.len(), |(b, _)| *b);
        let mut tokens = Vec::with_capacity(chars.len() * self.sizes.len());
        // how many characters from here on are not whitespace
        let mut run = vec![0usize; chars.len() + 1];
        for i in (0..chars.len()).rev() {
            run[i] = if chars[i].1.is_whitespace() {
                0
            } else {
                run[i + 1] + 1
            };
        }
        for (i, &(b, _)) in chars.iter().enumerate() {
            for &n in self.sizes {
                if run[i] >= n {
                    tokens.push(Token {
                        offset_from: b,
                        offset_to: end_of(i + n),
                        position: i,
                        text: folded[b..end_of(i + n)].to_string(),
                        position_length: 1,
                    });
                }
            }
        }
        OwnedTokens { tokens, next: 0 }
    }
}

/// Maps a byte offset in `normalized` to the byte offset of the same character in `original`.
/// Normalising keeps one character for one almost always; when it did not, offsets are scaled
/// and snapped to a character boundary (a highlight may then be slightly off, never invalid).
fn offset_map<'a>(original: &'a str, normalized: &str) -> impl Fn(usize) -> usize + 'a {
    let same_count = original.chars().count() == normalized.chars().count();
    let table: Vec<(usize, usize)> = if same_count {
        normalized
            .char_indices()
            .map(|(i, _)| i)
            .zip(original.char_indices().map(|(i, _)| i))
            .chain(std::iter::once((normalized.len(), original.len())))
            .collect()
    } else {
        Vec::new()
    };
    let norm_len = normalized.len().max(1);
    move |offset: usize| {
        if !table.is_empty() {
            return match table.binary_search_by_key(&offset, |(n, _)| *n) {
                Ok(i) => table[i].1,
                Err(i) => table.get(i).map_or(original.len(), |(_, o)| *o),
            };
        }
        let mut o = (offset.min(norm_len) * original.len() / norm_len).min(original.len());
        while !original.is_char_boundary(o) {
            o -= 1;
        }
        o
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let positional = |tokenizer: &str| {
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored()
    };
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        index_no: b.add_text_field("index_no", STRING | STORED),
        title: b.add_text_field("title", positional(GRAMS)),
        doc_no: b.add_text_field("doc_no", positional(GRAMS)),
        doc_no_exact: b.add_text_field("doc_no_exact", STRING),
        body: b.add_text_field("body", positional(QUADS)),
        any: b.add_text_field(
            "any",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(RUNS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        unit_id: b.add_u64_field("unit_id", INDEXED),
        // names are also fast fields: facets read them without opening stored documents
        unit_name: b.add_text_field("unit_name", STORED | FAST),
        category_id: b.add_u64_field("category_id", INDEXED),
        category_name: b.add_text_field("category_name", STORED | FAST),
        year: b.add_u64_field("year", INDEXED),
        kind: b.add_u64_field("kind", INDEXED),
        facet_key: b.add_u64_field("facet_key", FAST),
        published_ts: b.add_i64_field("published_ts", FAST),
        published_on: b.add_text_field("published_on", STORED),
    };
    (b.build(), f)
}

/// The index: one writer per process, a reader for searches.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    normalizer: Arc<Normalizer>,
}

/// The query for one set of words: what must match, and whether it can match at all.
struct Planned {
    /// What must match (beside the filters in one boolean query).
    clauses: Vec<(Occur, Box<dyn Query>)>,
    /// What scores a match (a word in the title or the document number); empty when the
    /// clauses score themselves (a document-number query).
    scoring: Vec<(Occur, Box<dyn Query>)>,
    doc_no: Option<String>,
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir`. An index written by an earlier version with
    /// other fields is emptied, with every other file in `dir` (the indexer's position file
    /// too, so the indexer replays the search outbox from its start and rebuilds it).
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Index(e.into()))?;
        let index = match Index::open_or_create(mmap, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                for entry in std::fs::read_dir(dir)? {
                    let path = entry?.path();
                    if path.is_file() {
                        std::fs::remove_file(path)?;
                    }
                }
                let mmap = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Index(e.into()))?;
                Index::create(mmap, schema, tantivy::IndexSettings::default())?
            }
            Err(e) => return Err(e.into()),
        };
        Self::finish(index, fields)
    }

    /// An index in memory (tests, benchmarks of the query path).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::finish(Index::create_in_ram(schema), fields)
    }

    fn finish(mut index: Index, fields: Fields) -> Result<SearchIndex> {
        let normalizer = Arc::new(Normalizer::new()?);
        // a search walks the index's segments on up to four threads at once (a large index has
        // a few large segments; on two cores three threads still finish sooner than two)
        let threads = 4;
        index.set_multithread_executor(threads)?;
        let sizes: [(&str, &'static [usize]); 3] = [
            (GRAMS, &[1, 2, 3, 4]),
            (QUADS, &[4]),
            (RUNS, &[1, 2, 3, 4, 5, 6]),
        ];
        for (name, sizes) in sizes {
            index.tokenizers().register(
                name,
                TextAnalyzer::builder(GramTokenizer {
                    normalizer: normalizer.clone(),
                    sizes,
                })
                .build(),
            );
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(64 * 1024 * 1024).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Index(other),
        })?;
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            normalizer,
        })
    }

    /// The normaliser (also used to prepare queries elsewhere).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Adds or replaces documents and removes the ids in `remove`; commits and refreshes the
    /// reader so that the changes are searchable on return.
    pub fn apply(&self, upsert: &[IndexDoc], remove: &[u64]) -> Result<()> {
        let mut w = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let f = &self.fields;
        for id in remove.iter().chain(upsert.iter().map(|d| &d.id)) {
            w.delete_term(Term::from_field_u64(f.id, *id));
        }
        for d in upsert {
            let mut doc = TantivyDocument::default();
            doc.add_u64(f.id, d.id);
            doc.add_text(f.index_no, &d.index_no);
            // Text fields keep the original characters (shown in results and snippets); the
            // tokenizers fold what they index.
            doc.add_text(f.title, &d.title);
            doc.add_text(f.doc_no, &d.doc_no);
            doc.add_text(
                f.doc_no_exact,
                normalize_doc_no(&self.normalizer.normalize(&d.doc_no)),
            );
            doc.add_text(f.body, &d.body);
            // blank lines between the parts: no run spans two of them
            doc.add_text(f.any, format!("{}\n\n{}\n\n{}", d.title, d.doc_no, d.body));
            doc.add_u64(f.unit_id, d.unit_id);
            doc.add_text(f.unit_name, &d.unit_name);
            doc.add_u64(f.category_id, d.category_id);
            doc.add_text(f.category_name, &d.category_name);
            doc.add_u64(f.year, d.year);
            let kind = doc_kind(&d.title) as u64;
            doc.add_u64(f.kind, kind);
            doc.add_u64(
                f.facet_key,
                FacetKey::pack([d.unit_id, d.category_id, d.year, kind]),
            );
            doc.add_i64(f.published_ts, d.published_ts);
            doc.add_text(f.published_on, &d.published_on);
            w.add_document(doc)?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Closes the index after waiting for its background segment merges to end (a bulk
    /// build's last step, so that what comes next does not compete with merging).
    pub fn close_after_merges(self) -> Result<()> {
        let writer = self
            .writer
            .into_inner()
            .map_err(|_| SearchError::Poisoned)?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut w = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        w.delete_all_documents()?;
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Number of indexed documents.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The words a query is made of, folded (see [`Normalizer::query_words`]).
    pub fn query_terms(&self, query: &str) -> Vec<String> {
        self.normalizer.query_words(query)
    }

    /// The query that matches `word` (already folded) in one field that holds runs of
    /// [`WHOLE`] characters with positions: a word that long or shorter is one term (title and
    /// number hold the shorter runs too), a longer one the phrase of the runs that cover it
    /// (老旧小区改造 → 老旧小区@0 小区改造@2), which is exactly "contains it contiguously".
    fn word_in(&self, word: &str, field: Field) -> Box<dyn Query> {
        let cs: Vec<(usize, char)> = word.char_indices().collect();
        if cs.len() <= WHOLE {
            return Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::Basic,
            ));
        }
        let run_at = |i: usize| {
            let end = cs.get(i + WHOLE).map_or(word.len(), |(b, _)| *b);
            (i, Term::from_field_text(field, &word[cs[i].0..end]))
        };
        let mut starts: Vec<usize> = (0..=cs.len() - WHOLE).step_by(WHOLE).collect();
        if starts.last() != Some(&(cs.len() - WHOLE)) {
            starts.push(cs.len() - WHOLE);
        }
        Box::new(PhraseQuery::new_with_offset(
            starts.into_iter().map(run_at).collect(),
        ))
    }

    /// The text part of a search: every word in the title, document number or body; scored
    /// 10 per word in the title and 5 per word in the document number, 100 for the exact
    /// document number (which matches even when the words do not).
    fn plan(&self, query: &str, words: &[String]) -> Option<Planned> {
        let f = &self.fields;
        if words.is_empty() {
            return None;
        }
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut scoring: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in words {
            let chars: Vec<(usize, char)> = w.char_indices().collect();
            let whole = |range: std::ops::Range<usize>| -> Box<dyn Query> {
                let end = chars.get(range.end).map_or(w.len(), |(b, _)| *b);
                Box::new(TermQuery::new(
                    Term::from_field_text(f.any, &w[chars[range.start].0..end]),
                    IndexRecordOption::Basic,
                ))
            };
            // a short word is one term; a longer one must have its first and last runs (a
            // cheap filter) and occur as a phrase in one of the fields (the exact test)
            let found: Box<dyn Query> = if chars.len() <= LOOKUP {
                whole(0..chars.len())
            } else {
                let in_a_field: Vec<(Occur, Box<dyn Query>)> = [f.title, f.doc_no, f.body]
                    .into_iter()
                    .map(|field| (Occur::Should, self.word_in(w, field)))
                    .collect();
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, whole(0..LOOKUP)),
                    (Occur::Must, whole(chars.len() - LOOKUP..chars.len())),
                    (Occur::Must, Box::new(BooleanQuery::new(in_a_field))),
                ]))
            };
            per_word.push((Occur::Must, Box::new(ConstScoreQuery::new(found, 0.0))));
            scoring.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(self.word_in(w, f.title), 10.0)),
            ));
            scoring.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(self.word_in(w, f.doc_no), 5.0)),
            ));
        }
        let doc_no = normalize_doc_no(&self.normalizer.normalize(query.trim()));
        if doc_no.contains('〔') && doc_no.contains('〕') {
            let exact: Box<dyn Query> = Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.doc_no_exact, &doc_no),
                    IndexRecordOption::Basic,
                )),
                100.0,
            ));
            per_word.extend(scoring);
            let text: Box<dyn Query> = Box::new(BooleanQuery::new(per_word));
            let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (Occur::Should, exact),
                (Occur::Should, text),
            ]));
            Some(Planned {
                clauses: vec![(Occur::Must, either)],
                scoring: Vec::new(),
                doc_no: Some(doc_no),
            })
        } else {
            Some(Planned {
                clauses: per_word,
                scoring,
                doc_no: None,
            })
        }
    }

    /// The filters of a request as query clauses.
    fn filters(&self, req: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        [
            (f.unit_id, req.unit_id),
            (f.category_id, req.category_id),
            (f.year, req.year),
            (f.kind, req.kind),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            value.map(|v| {
                let q: Box<dyn Query> = Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_u64(field, v),
                        IndexRecordOption::Basic,
                    )),
                    0.0,
                ));
                (Occur::Must, q)
            })
        })
        .collect()
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let words = self.normalizer.query_words(&req.query);
        let planned = self.plan(&req.query, &words);
        if planned.is_none() && !req.query.trim().is_empty() {
            // only punctuation was typed
            return Ok(SearchResults {
                total: 0,
                words,
                hits: Vec::new(),
                facets: Facets::default(),
                suggestions: Vec::new(),
            });
        }
        let mut clauses = self.filters(req);
        if let Some(p) = &planned {
            clauses.extend(p.clauses.iter().map(|(o, q)| (*o, q.box_clone())));
        }
        let query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(tantivy::query::AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let limit = req.limit.clamp(1, 100);
        let keep = req.offset.saturating_add(limit).min(10_000);
        let scored = planned
            .as_ref()
            .filter(|p| req.sort == SortBy::Relevance && !p.scoring.is_empty());
        let found = match scored {
            // Relevance in two passes: the matches with a word in the title or number (few)
            // are ranked by tier; all matches are counted and faceted without scoring, keeping
            // the newest only when the first pass did not fill the page.
            Some(p) => {
                let mut tiered: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, query.box_clone())];
                let scoring = p.scoring.iter().map(|(o, q)| (*o, q.box_clone())).collect();
                tiered.push((Occur::Must, Box::new(BooleanQuery::new(scoring))));
                let first = searcher.search(
                    &BooleanQuery::new(tiered),
                    &Walk {
                        keep,
                        by_score: true,
                        facets: false,
                    },
                )?;
                let rest = if first.total >= keep {
                    0
                } else {
                    keep + first.total
                };
                let mut all = searcher.search(
                    &*query,
                    &Walk {
                        keep: rest,
                        by_score: false,
                        facets: true,
                    },
                )?;
                let ranked: std::collections::HashSet<DocAddress> =
                    first.top.iter().map(|(_, _, a)| *a).collect();
                let newest = std::mem::take(&mut all.top);
                all.top = first.top;
                all.top.extend(
                    newest
                        .into_iter()
                        .filter(|(_, _, a)| !ranked.contains(a))
                        .take(keep.saturating_sub(all.top.len())),
                );
                all
            }
            None => searcher.search(
                &*query,
                &Walk {
                    keep,
                    by_score: req.sort == SortBy::Relevance && planned.is_some(),
                    facets: true,
                },
            )?,
        };
        let mut hits = Vec::with_capacity(limit);
        for (score, _, addr) in found.top.iter().skip(req.offset).take(limit) {
            hits.push(self.hit(&searcher, *addr, *score, &words)?);
        }
        let facets = self.facets(&searcher, &found)?;
        let suggestions = if found.total == 0 && planned.is_some() {
            self.suggest(&searcher, req, &words, planned.as_ref())?
        } else {
            Vec::new()
        };
        Ok(SearchResults {
            total: found.total,
            words,
            hits,
            facets,
            suggestions,
        })
    }

    /// How many items `query` (with the request's filters) finds.
    fn count(
        &self,
        searcher: &tantivy::Searcher,
        req: &SearchRequest,
        query: &str,
    ) -> Result<usize> {
        let words = self.normalizer.query_words(query);
        let Some(p) = self.plan(query, &words) else {
            return Ok(0);
        };
        let mut clauses = self.filters(req);
        clauses.extend(p.clauses);
        let walk = Walk {
            keep: 0,
            by_score: false,
            facets: false,
        };
        Ok(searcher.search(&BooleanQuery::new(clauses), &walk)?.total)
    }

    /// Queries that find something when this one found nothing: a near-miss document number
    /// corrected, the query without one of its words, a long word cut where its first part
    /// stops being found.
    fn suggest(
        &self,
        searcher: &tantivy::Searcher,
        req: &SearchRequest,
        words: &[String],
        planned: Option<&Planned>,
    ) -> Result<Vec<Suggestion>> {
        let mut out: Vec<Suggestion> = Vec::new();
        let offer = |out: &mut Vec<Suggestion>, query: String, reason: &str| -> Result<()> {
            if out.len() >= 5 || out.iter().any(|s| s.query == query) || query.trim().is_empty() {
                return Ok(());
            }
            let total = self.count(searcher, req, &query)?;
            if total > 0 {
                out.push(Suggestion {
                    query,
                    reason: reason.to_string(),
                    total,
                });
            }
            Ok(())
        };
        if let Some(doc_no) = planned.and_then(|p| p.doc_no.as_ref()) {
            // one edit away first; two only when nothing is one away
            for distance in [1, 2] {
                let near = FuzzyTermQuery::new(
                    Term::from_field_text(self.fields.doc_no_exact, doc_no),
                    distance,
                    true,
                );
                let walk = Walk {
                    keep: 3,
                    by_score: false,
                    facets: false,
                };
                let found = searcher.search(&near, &walk)?.top;
                for (_, _, addr) in &found {
                    let doc: TantivyDocument = searcher.doc(*addr)?;
                    if let Some(n) = doc.get_first(self.fields.doc_no).and_then(|v| v.as_str()) {
                        offer(&mut out, n.to_string(), "相近的文号")?;
                    }
                }
                if !found.is_empty() {
                    break;
                }
            }
        }
        if words.len() > 1 {
            for skip in 0..words.len() {
                let rest: Vec<&str> = words
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, w)| w.as_str())
                    .collect();
                offer(&mut out, rest.join(" "), "去掉一个词")?;
            }
        }
        for (i, w) in words.iter().enumerate() {
            let cs: Vec<(usize, char)> = w.char_indices().collect();
            if cs.len() < 4 {
                continue;
            }
            // the longest first part (two characters or more) that is still found
            for cut in (2..cs.len() - 1).rev() {
                let (head, tail) = w.split_at(cs[cut].0);
                if self.count(searcher, req, head)? == 0 {
                    continue;
                }
                let mut with: Vec<String> = words.to_vec();
                with[i] = format!("{head} {tail}");
                offer(&mut out, with.join(" "), "分开的词")?;
                break;
            }
        }
        Ok(out)
    }

    /// The schema name of a field with a name column.
    fn index_schema_name(&self, field: Field) -> &'static str {
        if field == self.fields.unit_name {
            "unit_name"
        } else {
            "category_name"
        }
    }

    /// Facet counts with names (read from the name columns at one document of each value).
    fn facets(&self, searcher: &tantivy::Searcher, found: &Walked) -> Result<Facets> {
        let f = &self.fields;
        let named = |counts: &HashMap<u64, (usize, DocAddress)>,
                     name_field: Option<Field>|
         -> Result<Vec<FacetValue>> {
            let mut v: Vec<(u64, usize, DocAddress)> =
                counts.iter().map(|(k, (n, a))| (*k, *n, *a)).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(FACET_VALUES);
            v.into_iter()
                .map(|(id, count, addr)| {
                    let mut name = String::new();
                    if let Some(field) = name_field {
                        let column = searcher
                            .segment_reader(addr.segment_ord)
                            .fast_fields()
                            .str(self.index_schema_name(field))?;
                        if let Some(column) = column
                            && let Some(ord) = column.term_ords(addr.doc_id).next()
                        {
                            column.ord_to_str(ord, &mut name)?;
                        }
                    } else {
                        name = id.to_string();
                    }
                    Ok(FacetValue { id, name, count })
                })
                .collect()
        };
        let mut years = named(&found.years, None)?;
        years.sort_by_key(|v| std::cmp::Reverse(v.id));
        let kinds = {
            let mut v: Vec<FacetValue> = found
                .kinds
                .iter()
                .map(|(k, (n, _))| FacetValue {
                    id: *k,
                    name: DOC_KINDS.get(*k as usize).unwrap_or(&"其他").to_string(),
                    count: *n,
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
            v.truncate(FACET_VALUES);
            v
        };
        Ok(Facets {
            units: named(&found.units, Some(f.unit_name))?,
            categories: named(&found.categories, Some(f.category_name))?,
            years,
            kinds,
        })
    }

    /// One hit as shown: title and a passage of the body with every occurrence of the words
    /// marked.
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
        score: f32,
        words: &[String],
    ) -> Result<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let title = text(f.title);
        let body = text(f.body);
        Ok(Hit {
            id: doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0),
            index_no: text(f.index_no),
            title_html: highlight(&title, &self.marks(&title, words)),
            doc_no: text(f.doc_no),
            snippet_html: self.snippet(&body, words),
            unit_name: text(f.unit_name),
            category_name: text(f.category_name),
            published_on: text(f.published_on),
            score,
        })
    }

    /// Byte ranges of `original` where a folded word occurs.
    fn marks(&self, original: &str, words: &[String]) -> Vec<std::ops::Range<usize>> {
        let folded = self.normalizer.normalize(original);
        let map = offset_map(original, &folded);
        let mut out = Vec::new();
        for w in words {
            for (at, m) in folded.match_indices(w.as_str()) {
                out.push(map(at)..map(at + m.len()));
            }
        }
        out
    }

    /// About [`SNIPPET_CHARS`] characters of the body around the first word found, the words
    /// marked; the opening of the body when none is in it.
    fn snippet(&self, body: &str, words: &[String]) -> String {
        // fold only the part a passage can come from: the first occurrence is looked for in
        // the first 20,000 characters (long attachments would make every hit slow)
        // (most hits have a word near the start: the first 600 characters are tried alone)
        let head_of = |chars: usize| {
            let end = body
                .char_indices()
                .nth(chars)
                .map_or(body.len(), |(b, _)| b);
            &body[..end]
        };
        let mut head = head_of(600);
        let mut marks = self.marks(head, words);
        if marks.is_empty() && head.len() < body.len() {
            head = head_of(20_000);
            marks = self.marks(head, words);
        }
        let first = marks.iter().map(|r| r.start).min();
        let start = match first {
            Some(at) => {
                // begin a little before the match, at a character boundary
                let before: Vec<usize> = head[..at].char_indices().map(|(b, _)| b).collect();
                before
                    .len()
                    .checked_sub(SNIPPET_LEAD)
                    .map_or(0, |i| before[i])
            }
            None => 0,
        };
        let end = head[start..]
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map_or(head.len(), |(b, _)| start + b);
        let ranges: Vec<std::ops::Range<usize>> = marks
            .into_iter()
            .filter(|r| r.start >= start && r.end <= end)
            .map(|r| r.start - start..r.end - start)
            .collect();
        let passage = highlight(&head[start..end], &ranges);
        if start > 0 {
            format!("…{passage}")
        } else {
            passage
        }
    }
}

/// Characters in a body passage.
const SNIPPET_CHARS: usize = 120;
/// Characters shown before the first match in a passage.
const SNIPPET_LEAD: usize = 20;

/// What one pass over the matches gathers.
#[derive(Default)]
struct Walked {
    total: usize,
    /// (score, published_ts, address), best first.
    top: Vec<(f32, i64, DocAddress)>,
    units: HashMap<u64, (usize, DocAddress)>,
    categories: HashMap<u64, (usize, DocAddress)>,
    years: HashMap<u64, (usize, DocAddress)>,
    kinds: HashMap<u64, (usize, DocAddress)>,
}

/// One pass over every match: the exact count, the facet counts and the best `keep` by
/// (score, newest) or by newest alone.
struct Walk {
    keep: usize,
    by_score: bool,
    facets: bool,
}

/// The four facet values of a document in one fast field (read once per match instead of
/// four times): unit id (16 bits), category id (24), year (14), document type (8). A value too
/// large for its bits is counted as its largest value (no deployment has that many units or
/// categories).
struct FacetKey;

impl FacetKey {
    const BITS: [u32; 4] = [16, 24, 14, 8];

    fn pack(values: [u64; 4]) -> u64 {
        let mut key = 0u64;
        let mut shift = 0;
        for (v, bits) in values.into_iter().zip(Self::BITS) {
            key |= v.min((1 << bits) - 1) << shift;
            shift += bits;
        }
        key
    }

    fn unpack(key: u64) -> [u64; 4] {
        let mut out = [0u64; 4];
        let mut shift = 0;
        for (o, bits) in out.iter_mut().zip(Self::BITS) {
            *o = (key >> shift) & ((1 << bits) - 1);
            shift += bits;
        }
        out
    }
}

/// Matches handled at once by [`Walk`].
const BATCH: usize = 128;

/// Not used: [`Walk`] walks each segment's scorer itself.
struct NoSegmentCollector;

impl SegmentCollector for NoSegmentCollector {
    type Fruit = Walked;
    fn collect(&mut self, _doc: tantivy::DocId, _score: tantivy::Score) {}
    fn harvest(self) -> Walked {
        Walked::default()
    }
}

/// Counts per value of one facet in one segment: small values (ids, years) in a vector that
/// grows to the largest seen, others in a map. Each value remembers the first document that
/// had it (to read its name from).
#[derive(Default)]
struct Counter {
    dense: Vec<(usize, u32)>,
    sparse: HashMap<u64, (usize, u32)>,
}

impl Counter {
    const DENSE: u64 = 1 << 16;

    fn add(&mut self, value: u64, doc: u32) {
        let slot = if value < Self::DENSE {
            let i = value as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, (0, 0));
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(value).or_insert((0, doc))
        };
        if slot.0 == 0 {
            slot.1 = doc;
        }
        slot.0 += 1;
    }

    fn into_pairs(self) -> impl Iterator<Item = (u64, (usize, u32))> {
        self.dense
            .into_iter()
            .enumerate()
            .filter(|(_, (n, _))| *n > 0)
            .map(|(i, c)| (i as u64, c))
            .chain(self.sparse)
    }
}

/// A min-heap entry ordered so that the worst kept hit is on top.
#[derive(PartialEq)]
struct Ranked(f32, i64, u32);

impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // reversed: BinaryHeap is a max-heap, the worst (lowest score, oldest, highest doc)
        // must come out first
        other
            .0
            .total_cmp(&self.0)
            .then(other.1.cmp(&self.1))
            .then(self.2.cmp(&other.2))
    }
}

impl Collector for Walk {
    type Fruit = Walked;
    type Child = NoSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: tantivy::SegmentOrdinal,
        _segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<NoSegmentCollector> {
        Ok(NoSegmentCollector)
    }

    fn requires_scoring(&self) -> bool {
        self.by_score
    }

    fn merge_fruits(&self, parts: Vec<Walked>) -> tantivy::Result<Walked> {
        let mut all = Walked::default();
        for p in parts {
            all.total += p.total;
            all.top.extend(p.top);
            for (mine, theirs) in [
                (&mut all.units, p.units),
                (&mut all.categories, p.categories),
                (&mut all.years, p.years),
                (&mut all.kinds, p.kinds),
            ] {
                for (k, (n, a)) in theirs {
                    mine.entry(k).or_insert((0, a)).0 += n;
                }
            }
        }
        all.top
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        all.top.truncate(self.keep);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        segment_ord: u32,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Walked> {
        use tantivy::DocSet;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let fast = reader.fast_fields();
        let ts = fast.i64("published_ts")?;
        let facet_keys = if self.facets {
            Some(fast.u64("facet_key")?)
        } else {
            None
        };
        let mut counts: [Counter; 4] = Default::default();
        let mut heap: std::collections::BinaryHeap<Ranked> =
            std::collections::BinaryHeap::with_capacity(self.keep + 1);
        let mut total = 0usize;
        // documents are handled in batches: fast fields read many values at once far faster
        let mut docs: Vec<u32> = Vec::with_capacity(BATCH);
        let mut scores: Vec<f32> = Vec::with_capacity(BATCH);
        let mut vals: Vec<Option<u64>> = vec![None; BATCH];
        let mut times: Vec<Option<i64>> = vec![None; BATCH];
        let mut flush = |docs: &mut Vec<u32>, scores: &mut Vec<f32>| {
            total += docs.len();
            if let Some(keys) = &facet_keys {
                keys.first_vals(docs, &mut vals[..docs.len()]);
                for (v, d) in vals.iter().zip(docs.iter()) {
                    let values = FacetKey::unpack(v.unwrap_or(0));
                    for (value, count) in values.into_iter().zip(counts.iter_mut()) {
                        count.add(value, *d);
                    }
                }
            }
            if self.keep > 0 {
                ts.first_vals(docs, &mut times[..docs.len()]);
                for (i, d) in docs.iter().enumerate() {
                    let score = scores.get(i).copied().unwrap_or(0.0);
                    let entry = Ranked(score, times[i].unwrap_or(0), *d);
                    if heap.len() < self.keep {
                        heap.push(entry);
                    } else if heap.peek().is_some_and(|worst| entry < *worst) {
                        heap.pop();
                        heap.push(entry);
                    }
                }
            }
            docs.clear();
            scores.clear();
        };
        let mut doc = scorer.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                docs.push(doc);
                if self.by_score && self.keep > 0 {
                    scores.push(scorer.score());
                }
                if docs.len() == BATCH {
                    flush(&mut docs, &mut scores);
                }
            }
            doc = scorer.advance();
        }
        flush(&mut docs, &mut scores);
        let addr = |d: u32| DocAddress::new(segment_ord, d);
        let to_map = |m: Counter| {
            m.into_pairs()
                .map(|(k, (n, d))| (k, (n, addr(d))))
                .collect::<HashMap<_, _>>()
        };
        let [units, categories, years, kinds] = counts;
        Ok(Walked {
            total,
            top: heap
                .into_iter()
                .map(|Ranked(s, t, d)| (s, t, addr(d)))
                .collect(),
            units: to_map(units),
            categories: to_map(categories),
            years: to_map(years),
            kinds: to_map(kinds),
        })
    }
}

/// HTML of a text with `<mark>` around the given byte ranges (overlapping ranges merged).
fn highlight(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut rs: Vec<std::ops::Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= fragment.len())
        .cloned()
        .collect();
    rs.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for r in rs {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::new();
    let mut at = 0;
    for r in merged {
        if !fragment.is_char_boundary(r.start) || !fragment.is_char_boundary(r.end) || r.start < at
        {
            continue;
        }
        out.push_str(&escape(&fragment[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&fragment[at..]));
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u64, title: &str, doc_no: &str, body: &str, unit: u64, ts: i64) -> IndexDoc {
        IndexDoc {
            id,
            index_no: format!("JYJ-ZCWJ-2026-{id:06}"),
            title: title.into(),
            doc_no: doc_no.into(),
            body: body.into(),
            unit_id: unit,
            unit_name: "区教育局".into(),
            category_id: 7,
            category_name: "政策文件".into(),
            year: 2026,
            published_ts: ts,
            published_on: "2026-11-27".into(),
        }
    }

    fn index() -> SearchIndex {
        let ix = SearchIndex::in_memory().unwrap();
        ix.apply(
            &[
                doc(
                    1,
                    "关于进一步做好政府信息公开工作的通知",
                    "区政办发〔2026〕12号",
                    "各单位要按照条例要求，做好政府信息公开和政务公开工作。",
                    5,
                    100,
                ),
                doc(
                    2,
                    "2026年秋季学期义务教育招生方案",
                    "区教发〔2026〕7号",
                    "义务教育阶段学校招生坚持免试就近入学。",
                    5,
                    300,
                ),
                doc(
                    3,
                    "區政府關於防汛工作的通知",
                    "",
                    "各鎮街要做好防汛準備，確保安全度汛。",
                    6,
                    200,
                ),
            ],
            &[],
        )
        .unwrap();
        ix
    }

    fn ids(r: &SearchResults) -> Vec<u64> {
        r.hits.iter().map(|h| h.id).collect()
    }

    fn q(text: &str) -> SearchRequest {
        SearchRequest {
            query: text.into(),
            limit: 10,
            ..Default::default()
        }
    }

    #[test]
    fn chinese_words_are_found() {
        let ix = index();
        assert_eq!(ids(&ix.search(&q("信息公开")).unwrap()), vec![1]);
        assert_eq!(ids(&ix.search(&q("招生")).unwrap()), vec![2]);
        assert_eq!(ids(&ix.search(&q("义务教育 招生")).unwrap()), vec![2]);
        assert_eq!(ix.search(&q("不存在的词语")).unwrap().total, 0);
    }

    #[test]
    fn traditional_and_simplified_are_the_same_text() {
        let ix = index();
        assert_eq!(
            ids(&ix.search(&q("信息公開")).unwrap()),
            vec![1],
            "traditional query, simplified text"
        );
        assert_eq!(
            ids(&ix.search(&q("防汛准备")).unwrap()),
            vec![3],
            "simplified query, traditional text"
        );
        assert_eq!(ids(&ix.search(&q("防汛準備")).unwrap()), vec![3]);
    }

    #[test]
    fn document_numbers_match_however_bracketed() {
        let ix = index();
        for typed in [
            "区政办发〔2026〕12号",
            "区政办发[2026]12号",
            "区政办发(2026)12号",
            "区政办发（2026）12号",
            "區政辦發[2026]12號",
        ] {
            let r = ix.search(&q(typed)).unwrap();
            assert_eq!(r.hits.first().map(|h| h.id), Some(1), "{typed}");
        }
    }

    #[test]
    fn filters_order_snippets_and_paging() {
        let ix = index();
        let all = SearchRequest {
            limit: 10,
            sort: SortBy::Date,
            ..Default::default()
        };
        assert_eq!(ids(&ix.search(&all).unwrap()), vec![2, 3, 1]);
        let unit6 = SearchRequest {
            unit_id: Some(6),
            ..all.clone()
        };
        assert_eq!(ids(&ix.search(&unit6).unwrap()), vec![3]);
        let page2 = SearchRequest {
            offset: 1,
            limit: 1,
            ..all.clone()
        };
        let r = ix.search(&page2).unwrap();
        assert_eq!((r.total, ids(&r)), (3, vec![3]));
        let r = ix.search(&q("政务公开")).unwrap();
        assert!(
            r.hits[0].snippet_html.contains("<mark>"),
            "{}",
            r.hits[0].snippet_html
        );
        // removal
        ix.apply(&[], &[1]).unwrap();
        assert_eq!(ix.search(&q("信息公开")).unwrap().total, 0);
        assert_eq!(ix.len(), 2);
    }

    #[test]
    fn overlapping_words_highlight_without_panicking() {
        let ix = index();
        let r = ix.search(&q("义务教育")).unwrap();
        assert_eq!(r.total, 1);
        assert!(
            r.hits[0].snippet_html.contains("<mark>义务教育</mark>"),
            "{}",
            r.hits[0].snippet_html
        );
        assert_eq!(
            highlight("a<b>c", &[0..1, 0..3, 2..4]),
            "<mark>a&lt;b&gt;</mark>c"
        );
    }

    #[test]
    fn normalizer_folds_width_and_script() {
        let n = Normalizer::new().unwrap();
        assert_eq!(n.normalize("信息公開ＡＢＣ１２３"), "信息公开abc123");
    }

    #[test]
    fn results_show_the_original_characters() {
        let ix = SearchIndex::in_memory().unwrap();
        ix.apply(
            &[doc(
                9,
                "關於學前教育資助（2026年）的通知",
                "區教發［2026］5號",
                "各幼兒園：現將學前教育資助辦法印發給你們，請遵照執行。ＡＢＣ",
                5,
                1,
            )],
            &[],
        )
        .unwrap();
        let r = ix
            .search(&SearchRequest {
                query: "学前教育 资助".into(),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(r.total, 1);
        let hit = &r.hits[0];
        assert_eq!(
            hit.title_html,
            "關於<mark>學前教育資助</mark>（2026年）的通知"
        );
        assert!(
            hit.snippet_html
                .contains("現將<mark>學前教育資助</mark>辦法印發給你們，請遵照執行。"),
            "{}",
            hit.snippet_html
        );
        assert_eq!(hit.doc_no, "區教發［2026］5號");
        // full-width Latin is still found by its half-width, lower-case form
        let r = ix
            .search(&SearchRequest {
                query: "abc".into(),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        assert!(
            r.hits[0].snippet_html.contains("<mark>ＡＢＣ</mark>"),
            "{}",
            r.hits[0].snippet_html
        );
    }

    #[test]
    fn an_index_of_an_earlier_schema_is_emptied_for_a_rebuild() {
        let dir = std::env::temp_dir().join(format!("gk-search-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        {
            let mut b = Schema::builder();
            let body = b.add_text_field("body", tantivy::schema::TEXT);
            let old = Index::create_in_dir(&dir, b.build()).unwrap();
            let mut w: IndexWriter = old.writer(15_000_000).unwrap();
            let mut d = TantivyDocument::default();
            d.add_text(body, "旧索引");
            w.add_document(d).unwrap();
            w.commit().unwrap();
        }
        std::fs::write(dir.join("outbox_position"), "42").unwrap();
        let ix = SearchIndex::open(&dir).unwrap();
        assert!(ix.is_empty());
        assert!(
            !dir.join("outbox_position").exists(),
            "the indexer starts over"
        );
        ix.apply(&[doc(1, "新索引", "", "正文", 5, 1)], &[])
            .unwrap();
        drop(ix);
        assert_eq!(
            SearchIndex::open(&dir).unwrap().len(),
            1,
            "kept when reopened"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn facet_values_pack_into_one_key() {
        for v in [
            [0, 0, 0, 0],
            [17, 123_456, 2026, 22],
            [65_535, 16_777_215, 16_383, 255],
        ] {
            assert_eq!(FacetKey::unpack(FacetKey::pack(v)), v);
        }
        assert_eq!(
            FacetKey::unpack(FacetKey::pack([70_000, 1, 2, 3]))[0],
            65_535
        );
    }

    #[test]
    fn a_hit_contains_each_word_contiguously() {
        let ix = SearchIndex::in_memory().unwrap();
        ix.apply(
            &[
                doc(1, "养老服务补贴发放通知", "", "做好养老服务工作。", 5, 1),
                doc(2, "关于养老机构的通知", "", "提供养老和家政服务。", 5, 2),
                doc(3, "专项检查", "", "开展安全生产专项检查。", 6, 3),
                doc(4, "安全生产通知", "", "专项，检查各项工作。", 6, 4),
                doc(5, "學前教育", "", "养老 服务", 6, 5),
                // both four-character runs of 不动产登记, apart
                doc(6, "不动产登簿", "", "办理动产登记", 6, 6),
                doc(7, "通知", "", "不动产登记中心", 6, 7),
            ],
            &[],
        )
        .unwrap();
        let found = |q: &str| {
            let mut v = ids(&ix
                .search(&SearchRequest {
                    query: q.into(),
                    limit: 100,
                    sort: SortBy::Date,
                    ..Default::default()
                })
                .unwrap());
            v.sort();
            v
        };
        // apart (2), across punctuation (4) or across a space (5) is not a hit
        assert_eq!(found("养老服务"), vec![1]);
        assert_eq!(found("安全生产 专项检查"), vec![3]);
        assert_eq!(found("专项检查"), vec![3]);
        assert_eq!(found("养老"), vec![1, 2, 5]);
        // one character, odd lengths, Traditional query and text
        assert_eq!(found("老"), vec![1, 2, 5]);
        assert_eq!(found("养老服"), vec![1]);
        assert_eq!(found("生产专项检查"), vec![3]);
        assert_eq!(found("学前教育"), vec![5]);
        assert_eq!(found("學前"), vec![5]);
        // the words typed with Chinese punctuation between them are still separate words
        assert_eq!(found("安全生产，专项检查"), vec![3]);
        assert_eq!(found("养老服务补贴发放通知书"), Vec::<u64>::new());
        assert_eq!(found("不动产登记"), vec![7]);
        assert_eq!(found("养老服务补贴发放通知"), vec![1]);
    }

    #[test]
    fn title_and_document_number_first_then_newest() {
        let ix = SearchIndex::in_memory().unwrap();
        ix.apply(
            &[
                doc(1, "工作要点", "", "政务公开", 5, 10),
                doc(2, "工作要点", "", "政务公开", 5, 30),
                doc(3, "政务公开工作要点", "", "无", 5, 5),
                doc(4, "要点", "区政办发〔2026〕12号", "政务公开", 5, 1),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(ids(&ix.search(&q("政务公开")).unwrap()), vec![3, 2, 1, 4]);
        assert_eq!(ids(&ix.search(&q("区政办发[2026]12号")).unwrap()), vec![4]);
        let by_date = SearchRequest {
            sort: SortBy::Date,
            ..q("政务公开")
        };
        assert_eq!(ids(&ix.search(&by_date).unwrap()), vec![2, 1, 3, 4]);
    }

    #[test]
    fn facets_count_every_hit_and_filters_narrow() {
        let ix = index();
        let r = ix.search(&q("通知")).unwrap();
        assert_eq!(r.total, 2);
        assert_eq!(
            r.facets
                .units
                .iter()
                .map(|v| (v.id, v.count))
                .collect::<Vec<_>>(),
            vec![(5, 1), (6, 1)]
        );
        assert_eq!(r.facets.kinds.len(), 1);
        assert_eq!(
            (r.facets.kinds[0].name.as_str(), r.facets.kinds[0].count),
            ("通知", 2)
        );
        assert_eq!(r.facets.years[0].count, 2);
        let kind = r.facets.kinds[0].id;
        let narrowed = ix
            .search(&SearchRequest {
                kind: Some(kind),
                ..q("教育")
            })
            .unwrap();
        assert_eq!(
            narrowed.total, 0,
            "the education item is a 方案, not a 通知"
        );
    }

    #[test]
    fn nothing_found_suggests_what_would_be() {
        let ix = index();
        let r = ix.search(&q("区政办发〔2026〕13号")).unwrap();
        assert_eq!(r.total, 0);
        assert_eq!(r.suggestions[0].query, "区政办发〔2026〕12号");
        let r = ix.search(&q("招生 防汛")).unwrap();
        assert_eq!(r.total, 0);
        let qs: Vec<&str> = r.suggestions.iter().map(|s| s.query.as_str()).collect();
        assert!(qs.contains(&"招生") && qs.contains(&"防汛"), "{qs:?}");
        let r = ix.search(&q("义务教育免试")).unwrap();
        assert_eq!(r.total, 0);
        assert_eq!(r.suggestions[0].query, "义务教育 免试");
        assert!(
            ix.search(&q("不存在的词语"))
                .unwrap()
                .suggestions
                .is_empty()
        );
    }
}
