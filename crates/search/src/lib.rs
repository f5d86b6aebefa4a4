//! The full-text index of published information items.
//!
//! The index is derived data: it holds nothing the database does not, and `gongkai reindex`
//! rebuilds it from the database at any time. Each server process keeps its own index directory
//! and is its only writer (one `IndexWriter` per process); the database's search outbox tells
//! every server which items changed, so several servers on one PostgreSQL database each keep
//! their own index correct.
//!
//! Chinese text is normalised before it is indexed *and* before a query is parsed: Traditional
//! characters become Simplified (OpenCC `t2s`), full-width ASCII becomes half-width, Latin letters
//! are lower-cased; then jieba segments it into words. Document numbers are matched however their
//! year brackets are typed (`〔2026〕`, `[2026]`, `(2026)`).

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use gongkai_domain::disclosure::normalize_doc_no;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

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

    /// Traditional → Simplified, full-width → half-width, lower-case Latin.
    pub fn normalize(&self, text: &str) -> String {
        let half: String = text
            .chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect();
        self.t2s.convert(&half).to_lowercase()
    }
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
    /// Summary and body (and attachment text) to search.
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
    /// Best match first.
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
    /// Relevance score.
    pub score: f32,
}

/// Results of one search.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchResults {
    /// Matching items, counted exactly up to [`COUNT_CAP`]; beyond it, `total_capped` is set and
    /// `total` is a lower bound.
    pub total: usize,
    /// More items match than were counted.
    pub total_capped: bool,
    /// The requested page.
    pub hits: Vec<Hit>,
}

struct Fields {
    id: Field,
    index_no: Field,
    title: Field,
    doc_no: Field,
    doc_no_exact: Field,
    body: Field,
    unit_id: Field,
    unit_name: Field,
    category_id: Field,
    category_name: Field,
    year: Field,
    published_ts: Field,
    published_on: Field,
}

const TOKENIZER: &str = "gongkai_zh";

/// jieba over the normalised text (Simplified, half-width, lower case), with every token's
/// offsets mapped back onto the original text, so that the index stores the original characters
/// and snippets highlight them, while matching sees one form of each word.
#[derive(Clone)]
struct NormalizingTokenizer {
    inner: tantivy_jieba::JiebaTokenizer,
    normalizer: Arc<Normalizer>,
}

/// A token stream that owns its tokens.
struct OwnedTokens {
    tokens: Vec<tantivy::tokenizer::Token>,
    next: usize,
}

impl tantivy::tokenizer::TokenStream for OwnedTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

impl tantivy::tokenizer::Tokenizer for NormalizingTokenizer {
    type TokenStream<'a> = OwnedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> OwnedTokens {
        use tantivy::tokenizer::TokenStream;
        let normalized = self.normalizer.normalize(text);
        let map = offset_map(text, &normalized);
        let mut stream = self.inner.token_stream(&normalized);
        let mut tokens = Vec::new();
        while stream.advance() {
            let mut t = stream.token().clone();
            t.offset_from = map(t.offset_from);
            t.offset_to = map(t.offset_to).max(t.offset_from);
            tokens.push(t);
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
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let f = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        index_no: b.add_text_field("index_no", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        doc_no: b.add_text_field("doc_no", text.clone()),
        doc_no_exact: b.add_text_field("doc_no_exact", STRING),
        body: b.add_text_field("body", text),
        unit_id: b.add_u64_field("unit_id", INDEXED | FAST),
        unit_name: b.add_text_field("unit_name", STORED),
        category_id: b.add_u64_field("category_id", INDEXED | FAST),
        category_name: b.add_text_field("category_name", STORED),
        year: b.add_u64_field("year", INDEXED | FAST),
        published_ts: b.add_i64_field("published_ts", FAST),
        published_on: b.add_text_field("published_on", STORED),
    };
    (b.build(), f)
}

/// The index: one writer per process, a reader for searches.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    normalizer: Arc<Normalizer>,
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Index(e.into()))?;
        let index = Index::open_or_create(mmap, schema)?;
        Self::finish(index, fields)
    }

    /// An index in memory (tests, benchmarks of the query path).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::finish(Index::create_in_ram(schema), fields)
    }

    fn finish(index: Index, fields: Fields) -> Result<SearchIndex> {
        let normalizer = Arc::new(Normalizer::new()?);
        let analyzer = TextAnalyzer::builder(NormalizingTokenizer {
            inner: tantivy_jieba::JiebaTokenizer::new(),
            normalizer: normalizer.clone(),
        })
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
        index.tokenizers().register(TOKENIZER, analyzer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(64 * 1024 * 1024).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy,
            other => SearchError::Index(other),
        })?;
        Ok(SearchIndex {
            index,
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
            // tokenizer normalises what it indexes.
            doc.add_text(f.title, &d.title);
            doc.add_text(f.doc_no, &d.doc_no);
            doc.add_text(
                f.doc_no_exact,
                normalize_doc_no(&self.normalizer.normalize(&d.doc_no)),
            );
            doc.add_text(f.body, &d.body);
            doc.add_u64(f.unit_id, d.unit_id);
            doc.add_text(f.unit_name, &d.unit_name);
            doc.add_u64(f.category_id, d.category_id);
            doc.add_text(f.category_name, &d.category_name);
            doc.add_u64(f.year, d.year);
            doc.add_i64(f.published_ts, d.published_ts);
            doc.add_text(f.published_on, &d.published_on);
            w.add_document(doc)?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
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

    /// The words a query is made of, after normalisation and segmentation (punctuation dropped).
    pub fn query_terms(&self, query: &str) -> Vec<String> {
        let mut analyzer = match self.index.tokenizers().get(TOKENIZER) {
            Some(a) => a,
            None => return Vec::new(),
        };
        // the analyzer normalises (NormalizingTokenizer), so the query goes in as typed
        let mut stream = analyzer.token_stream(query);
        let mut terms = Vec::new();
        while let Some(t) = stream.next() {
            if t.text.chars().any(char::is_alphanumeric) && !terms.contains(&t.text) {
                terms.push(t.text.clone());
            }
        }
        terms
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let terms = self.query_terms(&req.query);
        let doc_no = normalize_doc_no(&self.normalizer.normalize(req.query.trim()));
        let looks_like_doc_no = doc_no.contains('〔') && doc_no.contains('〕');
        if !terms.is_empty() {
            let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for term in &terms {
                let per_field: Vec<(Occur, Box<dyn Query>)> =
                    [(f.title, 3.0f32), (f.body, 1.0), (f.doc_no, 2.0)]
                        .into_iter()
                        .map(|(field, boost)| {
                            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(
                                    Term::from_field_text(field, term),
                                    IndexRecordOption::WithFreqs,
                                )),
                                boost,
                            ));
                            (Occur::Should, q)
                        })
                        .collect();
                words.push((Occur::Must, Box::new(BooleanQuery::new(per_field))));
            }
            let text_query: Box<dyn Query> = Box::new(BooleanQuery::new(words));
            if looks_like_doc_no {
                let exact: Box<dyn Query> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.doc_no_exact, &doc_no),
                        IndexRecordOption::Basic,
                    )),
                    10.0,
                ));
                must.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, exact),
                        (Occur::Should, text_query),
                    ])),
                ));
            } else {
                must.push((Occur::Must, text_query));
            }
        } else if !req.query.trim().is_empty() {
            return Ok(SearchResults {
                total: 0,
                total_capped: false,
                hits: Vec::new(),
            });
        }
        for (field, value) in [
            (f.unit_id, req.unit_id),
            (f.category_id, req.category_id),
            (f.year, req.year),
        ] {
            if let Some(v) = value {
                must.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_u64(field, v),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        let query: Box<dyn Query> = if must.is_empty() {
            Box::new(tantivy::query::AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        };
        let limit = req.limit.clamp(1, 100);
        let (total, total_capped) = searcher.search(&query, &CappedCount(COUNT_CAP))?;
        let addresses: Vec<(f32, tantivy::DocAddress)> = match req.sort {
            SortBy::Relevance if !terms.is_empty() => searcher.search(
                &query,
                &TopDocs::with_limit(limit)
                    .and_offset(req.offset)
                    .order_by_score(),
            )?,
            _ => searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit)
                        .and_offset(req.offset)
                        .order_by_fast_field::<i64>("published_ts", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect(),
        };
        let mut body_snippets = SnippetGenerator::create(&searcher, &*query, f.body)?;
        body_snippets.set_max_num_chars(120);
        let title_snippets = SnippetGenerator::create(&searcher, &*query, f.title)?;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let title_html = {
                let s = title_snippets.snippet_from_doc(&doc);
                if s.highlighted().is_empty() {
                    escape(&text(f.title))
                } else {
                    highlight(s.fragment(), s.highlighted())
                }
            };
            let snippet = body_snippets.snippet_from_doc(&doc);
            let snippet_html = if snippet.fragment().is_empty() {
                escape(&text(f.body).chars().take(120).collect::<String>())
            } else {
                highlight(snippet.fragment(), snippet.highlighted())
            };
            hits.push(Hit {
                id: doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0),
                index_no: text(f.index_no),
                title_html,
                doc_no: text(f.doc_no),
                snippet_html,
                unit_name: text(f.unit_name),
                category_name: text(f.category_name),
                published_on: text(f.published_on),
                score,
            });
        }
        Ok(SearchResults {
            total,
            total_capped,
            hits,
        })
    }
}

/// HTML of a fragment with `<mark>` around the highlighted byte ranges. Segmentation in search
/// mode yields overlapping words (义务教育 → 义务, 教育, 义务教育), so ranges are merged first;
/// tantivy's own `to_html` panics on overlaps.
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

/// How many matches are counted exactly. Past this a query is broad enough that nobody pages
/// through it; counting every one of half a million matches was the slowest part of a search.
pub const COUNT_CAP: usize = 100_000;

/// Counts matching live documents, stopping once `cap` are found across all segments.
struct CappedCount(usize);

/// Not used: [`CappedCount`] walks each segment's scorer itself so it can stop early.
struct NoSegmentCollector;

impl SegmentCollector for NoSegmentCollector {
    type Fruit = usize;
    fn collect(&mut self, _doc: tantivy::DocId, _score: tantivy::Score) {}
    fn harvest(self) -> usize {
        0
    }
}

impl Collector for CappedCount {
    type Fruit = (usize, bool);
    type Child = NoSegmentCollector;

    fn for_segment(
        &self,
        _segment_local_id: tantivy::SegmentOrdinal,
        _segment: &tantivy::SegmentReader,
    ) -> tantivy::Result<NoSegmentCollector> {
        Ok(NoSegmentCollector)
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, counts: Vec<usize>) -> tantivy::Result<(usize, bool)> {
        let total: usize = counts.iter().sum();
        Ok((total.min(self.0), total > self.0))
    }

    fn collect_segment(
        &self,
        weight: &dyn tantivy::query::Weight,
        _segment_ord: u32,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<usize> {
        use tantivy::DocSet;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut n = 0;
        let mut doc = scorer.doc();
        // one more than the cap, so that merge_fruits can tell "exactly cap" from "more"
        while doc != tantivy::TERMINATED && n <= self.0 {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                n += 1;
            }
            doc = scorer.advance();
        }
        Ok(n)
    }
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
    fn counting_stops_at_the_cap_and_says_so() {
        let ix = SearchIndex::in_memory().unwrap();
        let docs: Vec<IndexDoc> = (1..=7)
            .map(|i| {
                doc(
                    i,
                    &format!("第{i}号通知"),
                    "",
                    "政务公开工作要点",
                    5,
                    i as i64,
                )
            })
            .collect();
        ix.apply(&docs, &[]).unwrap();
        let searcher = ix.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(ix.fields.body, "公开"),
            IndexRecordOption::Basic,
        );
        for (cap, want) in [
            (3, (3, true)),
            (6, (6, true)),
            (7, (7, false)),
            (100, (7, false)),
        ] {
            assert_eq!(
                searcher.search(&q, &CappedCount(cap)).unwrap(),
                want,
                "cap {cap}"
            );
        }
        // the search result reports it too (the real cap is far above 7)
        let r = ix
            .search(&SearchRequest {
                query: "政务公开".into(),
                limit: 3,
                ..Default::default()
            })
            .unwrap();
        assert_eq!((r.total, r.total_capped, r.hits.len()), (7, false, 3));
    }
}
