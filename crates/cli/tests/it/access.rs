//! The access matrix: every role × (own unit, other unit) × every protected route, with the
//! expected answer written out by hand (not derived from the policy under test).

use crate::both;
use crate::support::{Db, TestDb, get, post};
use axum::http::StatusCode;

/// Expected outcome: allowed (the route's success status) or forbidden (403).
#[derive(Clone, Copy, Debug, PartialEq)]
enum E {
    Y,
    N,
}
use E::{N, Y};

/// Unit-scoped routes, in this order.
const UNIT_ROUTES: [&str; 12] = [
    "GET /admin/units/{u}",
    "GET /admin/units/{u}/staff",
    "POST /admin/units/{u}/staff",
    "POST /admin/units/{u}/profile",
    "GET /admin/units/{u}/audit",
    "GET /api/v1/units/{u}/staff",
    "GET /api/v1/units/{u}/audit",
    "GET /admin/units/{u}/powers",
    "GET /admin/units/{u}/powers/new",
    "GET /admin/units/{u}/powers.xlsx",
    "GET /admin/units/{u}/cases",
    "POST /admin/units/{u}/cases",
];

/// (user, own unit, other unit, expected on own unit, expected on other unit, may create units
/// and import the calendar).
/// One row of the matrix.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    [E; 12],
    [E; 12],
    E,
);

const MATRIX: &[Row] = &[
    (
        "admin",
        "GOV",
        "JYJ",
        [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
        [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
        Y,
    ),
    (
        "gkb",
        "GKB",
        "JYJ",
        [Y, Y, N, Y, Y, Y, Y, Y, N, Y, Y, N],
        [Y, Y, N, Y, Y, Y, Y, Y, N, Y, Y, N],
        N,
    ),
    (
        "jyj_editor",
        "JYJ",
        "MZJ",
        [Y, Y, N, N, N, Y, N, Y, Y, Y, Y, N],
        [N, N, N, N, N, N, N, N, N, N, N, N],
        N,
    ),
    (
        "jyj_reviewer",
        "JYJ",
        "MZJ",
        [Y, Y, N, N, N, Y, N, Y, Y, Y, Y, N],
        [N, N, N, N, N, N, N, N, N, N, N, N],
        N,
    ),
    (
        "jyj_leader",
        "JYJ",
        "MZJ",
        [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y],
        [N, N, N, N, N, N, N, N, N, N, N, N],
        N,
    ),
    (
        "jyj_handler",
        "JYJ",
        "MZJ",
        [Y, Y, N, N, N, Y, N, Y, N, Y, Y, Y],
        [N, N, N, N, N, N, N, N, N, N, N, N],
        N,
    ),
    (
        "mzj_editor",
        "MZJ",
        "JYJ",
        [Y, Y, N, N, N, Y, N, Y, Y, Y, Y, N],
        [N, N, N, N, N, N, N, N, N, N, N, N],
        N,
    ),
];

async fn call(
    t: &TestDb,
    app: &axum::Router,
    route: &str,
    unit: i64,
    cookie: Option<&str>,
    csrf: &str,
    n: usize,
) -> (StatusCode, String) {
    let (method, path) = route.split_once(' ').unwrap();
    let path = path.replace("{u}", &unit.to_string());
    let r = if method == "GET" {
        get(app, &path, cookie).await
    } else if path.ends_with("/cases") {
        // an empty registration: refused (403) or answered with what is missing (400)
        post(app, &path, cookie, &[("csrf", csrf)]).await
    } else if path.ends_with("/staff") {
        let username = format!("matrix{n}");
        let r = post(
            app,
            &path,
            cookie,
            &[
                ("csrf", csrf),
                ("username", &username),
                ("display_name", "矩阵"),
                ("role", "editor"),
                ("password", "Matrix-Passw0rd"),
            ],
        )
        .await;
        let exists = t
            .store
            .find_staff_credentials(&username)
            .await
            .unwrap()
            .is_some();
        let succeeded = r.status == StatusCode::SEE_OTHER && !r.location().starts_with("/login");
        assert_eq!(
            exists,
            succeeded,
            "{route}: state matches the answer {} {}",
            r.location(),
            r.body
        );
        r
    } else {
        post(
            app,
            &path,
            cookie,
            &[
                ("csrf", csrf),
                ("address", &format!("地址{n}")),
                ("phone", "0571-1"),
            ],
        )
        .await
    };
    (r.status, r.body)
}

fn success(route: &str) -> StatusCode {
    if route == "POST /admin/units/{u}/cases" {
        StatusCode::BAD_REQUEST
    } else if route.starts_with("POST") {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::OK
    }
}

both!(access_matrix, async |db: Db| {
    let t = TestDb::with_demo(db).await;
    let app = t.app();
    let mut n = 0;
    let mut checked = 0;
    for (user, own, other, on_own, on_other, district_admin) in MATRIX {
        let (cookie, csrf) = t.session_for(user).await;
        for (unit_code, expected) in [(own, on_own), (other, on_other)] {
            let unit = t.unit_id(unit_code).await;
            for (route, want) in UNIT_ROUTES.iter().zip(expected) {
                n += 1;
                let (status, body) = call(&t, &app, route, unit, Some(&cookie), &csrf, n).await;
                let want_status = if *want == Y {
                    success(route)
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(
                    status,
                    want_status,
                    "{user} on {unit_code}: {route}\n{}",
                    &body[..body.len().min(400)]
                );
                if *want == N && !route.contains("/api/") {
                    assert!(body.contains("无权"), "403 page explains in Chinese");
                    assert!(
                        body.contains("<button type=\"submit\">退出</button>"),
                        "the 403 page still shows who is logged in: {body}"
                    );
                }
                checked += 1;
            }
        }
        // routes that are not unit-scoped
        let r = post(
            &app,
            "/admin/units",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "矩阵局"),
                ("unit_type", "department"),
                ("code", &format!("M{n}")),
                ("parent_code", "GOV"),
            ],
        )
        .await;
        assert_eq!(
            r.status,
            if *district_admin == Y {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{user}: create unit"
        );
        let r = post(
            &app,
            "/admin/calendar",
            Some(&cookie),
            &[("csrf", &csrf), ("data", r#"{"year":2030,"days":[]}"#)],
        )
        .await;
        assert_eq!(
            r.status,
            if *district_admin == Y {
                StatusCode::SEE_OTHER
            } else {
                StatusCode::FORBIDDEN
            },
            "{user}: import calendar"
        );
        for page in ["/admin", "/admin/account", "/admin/calendar"] {
            assert_eq!(
                get(&app, page, Some(&cookie)).await.status,
                StatusCode::OK,
                "{user}: {page}"
            );
        }
        checked += 5;
    }
    // anonymous: HTML routes redirect to login, API routes answer 401, POSTs change nothing
    let jyj = t.unit_id("JYJ").await;
    for route in UNIT_ROUTES {
        n += 1;
        let (status, _) = call(&t, &app, route, jyj, None, "", n).await;
        let want = if route.contains("/api/") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(status, want, "anonymous {route}");
        checked += 1;
    }
    assert_eq!(
        checked,
        MATRIX.len() * (2 * UNIT_ROUTES.len() + 5) + UNIT_ROUTES.len()
    );
    t.cleanup().await;
});
