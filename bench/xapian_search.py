#!/usr/bin/env python3
"""Xapian beside gongkai in bench/search.sh: the same corpus, the same queries, the same work.

Builds a Xapian database of the corpus (title, document number and the indexed body: summary,
newline, body, as gongkai_search::indexed_body) with CJK n-grams (Debian's python3-xapian,
Xapian 1.4), then runs each query RUNS times: every word required (OP_AND), an exact count of the
matches, the top 10 with a 120-character snippet each. Prints one JSON object per line:
{"build_s", "size_bytes"} first, then {"query", "hits", "ms": [...]} per query.

Usage: xapian_search.py CORPUS.jsonl WORKDIR RUNS QUERY...
"""
import json
import os
import shutil
import sys
import time

import xapian


def main():
    corpus, work, runs, queries = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    path = os.path.join(work, "xapian")
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
    with open(corpus, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            row = json.loads(line)
            body = row.get("summary", "") + "\n" + row.get("body", "")
            doc = xapian.Document()
            tg.set_document(doc)
            tg.index_text(row.get("title", ""))
            tg.increase_termpos()
            tg.index_text(row.get("doc_no", ""))
            tg.increase_termpos()
            tg.index_text(body)
            doc.set_data(json.dumps({"title": row.get("title", ""), "body": body}))
            db.add_document(doc)
            if n % 20000 == 0:
                db.commit()
                print(f"\rxapian indexed {n}", end="", file=sys.stderr, flush=True)
    db.commit()
    db.close()
    build = time.perf_counter() - started
    print(file=sys.stderr)
    size = sum(os.path.getsize(os.path.join(path, p)) for p in os.listdir(path))
    print(json.dumps({"build_s": build, "size_bytes": size}), flush=True)

    db = xapian.Database(path)
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_default_op(xapian.Query.OP_AND)
    flags = xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM
    stemmer = xapian.Stem("none")
    everything = db.get_doccount()
    for q in queries:
        times, hits = [], 0
        for run in range(runs + 1):  # run 0 is the untimed warm-up
            t = time.perf_counter()
            enquire = xapian.Enquire(db)
            enquire.set_query(qp.parse_query(q, flags))
            mset = enquire.get_mset(0, 10, everything)
            hits = mset.get_matches_estimated()
            for m in mset:
                data = json.loads(m.document.get_data())
                mset.snippet(data["body"], 120, stemmer,
                             xapian.MSet.SNIPPET_CJK_NGRAM | xapian.MSet.SNIPPET_EXHAUSTIVE)
            if run > 0:
                times.append((time.perf_counter() - t) * 1000.0)
        print(json.dumps({"query": q, "hits": hits, "ms": times}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
