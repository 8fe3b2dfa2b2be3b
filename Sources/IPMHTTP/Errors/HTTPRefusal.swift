import Foundation
import HTTPTypes
import Hummingbird
import IPMDomain

/// How IPM refuses a request over HTTP: the status and the words. `init?(_:)` is the one
/// mapping from what the domain and the request decoding refuse, used by the web pages
/// (`ErrorPageMiddleware`) and the JSON API (`ProblemMiddleware`), so the two cannot answer
/// the same refusal differently (DECISIONS.md 51).
struct HTTPRefusal: Error, Sendable {
    let status: HTTPResponse.Status
    /// A page's heading.
    let title: String
    /// The problem's `detail`, and the page's sentence unless `pageText` says otherwise.
    let detail: String
    /// The page's sentence where it differs from the API's.
    var pageText: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, title: String, _ detail: String, pageText: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.pageText = pageText
        self.headers = headers
    }

    /// A request the API cannot read or does not accept as sent.
    static func badRequest(_ detail: String) -> HTTPRefusal { HTTPRefusal(.badRequest, title: "Not accepted", detail) }

    /// A company (or another thing) that does not exist or that the caller may not see.
    static let notFound = HTTPRefusal(
        .notFound, title: "Not found", "There is no such company, or you do not have access to it.",
        pageText: "There is nothing here, or you do not have access to it."
    )

    /// What the domain and the request decoding refuse; `nil` for anything else (a fault, or
    /// Hummingbird's own `HTTPError`, which answers for itself).
    init?(_ error: any Error) {
        switch error {
        case let refusal as HTTPRefusal:
            self = refusal
        case let unreadable as UnreadableInput:
            self = .badRequest(
                "The request's \(unreadable.place.rawValue) carries a NUL character or text that is not UTF-8, which IPM does not accept. Nothing was changed."
            )
        case let error as DomainError:
            self.init(error)
        default:
            return nil
        }
    }

    /// Not found and not allowed as the access rules say; a change the company's state does
    /// not allow is a conflict (409) for the web as for the API.
    private init(_ error: DomainError) {
        let sentence = error.description.capitalizedFirst + "."
        if error.isNotFound {
            self = .notFound
        } else if error.isForbidden || error == .adminDisabled {
            self.init(.forbidden, title: "Not allowed", sentence)
        } else if error.isIllegalTransition || error.isAlreadyExists {
            self.init(.conflict, title: "Not possible now", sentence)
        } else if error.isInvalidInput {
            self.init(.badRequest, title: "Not accepted", sentence)
        } else if error == .invalidCredentials {
            self.init(.unauthorized, title: "Not signed in", sentence)
        } else {
            self.init(.badRequest, title: "Not accepted", sentence)
        }
    }

    /// As `application/problem+json`.
    var problemResponse: Response {
        var response = Problem(status, detail).response
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
