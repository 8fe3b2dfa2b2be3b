import Foundation

/// A plausible UPS Track API answer (`trackResponse.shipment[].package[]`), the same for the
/// same inquiry number every time: origin, destination, dates and progress all follow from a
/// stable hash of the number.
struct TrackingDetails: Encodable {
    let trackResponse: TrackResponse

    init?(inquiryNumber: String) {
        let number = inquiryNumber.uppercased()
        guard (1...34).contains(number.count), number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        var seed = Self.fnv1a(number)
        func pick(_ count: Int) -> Int {
            defer { seed = seed &* 0x100_0000_01B3 ^ 0x5DEE_CE66 }
            return Int(seed % UInt64(count))
        }
        let origin = Self.places[pick(Self.places.count)]
        let destination = Self.places[(Self.places.firstIndex { $0.city == origin.city }! + 1 + pick(Self.places.count - 1)) % Self.places.count]
        let shipped = Self.calendar.date(byAdding: .day, value: pick(330), to: Self.firstDay)!
        let stages = Self.stages.prefix(1 + pick(Self.stages.count))
        let activity = stages.enumerated().reversed().map { index, stage in
            let day = Self.calendar.date(byAdding: .day, value: index, to: shipped)!
            return Activity(
                location: Location(address: (index <= 1 ? origin : destination).address),
                status: Status(type: stage.code, description: stage.description, code: stage.statusCode, statusCode: stage.statusCode),
                date: Self.day(day), time: String(format: "%02ld%02ld00", 7 + index * 2, pick(60))
            )
        }
        let last = stages.last!
        let delivered = last.code == "D"
        let package = Package(
            trackingNumber: number,
            deliveryDate: delivered ? [DeliveryDate(type: "DEL", date: activity[0].date)] : [],
            deliveryTime: delivered ? DeliveryTime(type: "DEL", endTime: activity[0].time) : nil,
            activity: activity,
            currentStatus: CurrentStatus(description: last.summary, code: last.statusCode),
            packageAddress: [
                PackageAddress(type: "ORIGIN", address: origin.address), PackageAddress(type: "DESTINATION", address: destination.address),
            ],
            weight: Weight(unitOfMeasurement: "LBS", weight: String(format: "%.2f", 0.5 + Double(pick(400)) / 10)),
            service: Service(code: "003", levelCode: "GND", description: "UPS Ground"),
            packageCount: 1
        )
        trackResponse = TrackResponse(shipment: [Shipment(inquiryNumber: number, package: [package])])
    }

    // MARK: Answer shape

    struct TrackResponse: Encodable { let shipment: [Shipment] }
    struct Shipment: Encodable {
        let inquiryNumber: String
        let package: [Package]
    }
    struct Package: Encodable {
        let trackingNumber: String
        let deliveryDate: [DeliveryDate]
        let deliveryTime: DeliveryTime?
        let activity: [Activity]
        let currentStatus: CurrentStatus
        let packageAddress: [PackageAddress]
        let weight: Weight
        let service: Service
        let packageCount: Int
    }
    struct DeliveryDate: Encodable {
        let type: String
        let date: String
    }
    struct DeliveryTime: Encodable {
        let type: String
        let endTime: String
    }
    struct Activity: Encodable {
        let location: Location
        let status: Status
        let date: String
        let time: String
    }
    struct Location: Encodable { let address: Address }
    struct Address: Encodable {
        let city: String
        let stateProvince: String
        let countryCode: String
        let country: String
    }
    struct Status: Encodable {
        let type: String
        let description: String
        let code: String
        let statusCode: String
    }
    struct CurrentStatus: Encodable {
        let description: String
        let code: String
    }
    struct PackageAddress: Encodable {
        let type: String
        let address: Address
    }
    struct Weight: Encodable {
        let unitOfMeasurement: String
        let weight: String
    }
    struct Service: Encodable {
        let code: String
        let levelCode: String
        let description: String
    }

    // MARK: Deterministic content

    private struct Place {
        let city: String
        let state: String
        var address: Address { Address(city: city, stateProvince: state, countryCode: "US", country: "US") }
    }

    private struct Stage {
        let code: String
        let statusCode: String
        let description: String
        let summary: String
    }

    private static let places = [
        Place(city: "ATLANTA", state: "GA"), Place(city: "LOUISVILLE", state: "KY"), Place(city: "TIMONIUM", state: "MD"),
        Place(city: "PHOENIX", state: "AZ"), Place(city: "SECAUCUS", state: "NJ"), Place(city: "HODGKINS", state: "IL"),
        Place(city: "DALLAS", state: "TX"), Place(city: "ONTARIO", state: "CA"),
    ]

    private static let stages = [
        Stage(code: "M", statusCode: "003", description: "Shipper created a label, UPS has not received the package yet. ", summary: "Label Created"),
        Stage(code: "I", statusCode: "005", description: "Departed from Facility", summary: "In Transit"),
        Stage(code: "I", statusCode: "005", description: "Arrived at Facility", summary: "In Transit"),
        Stage(code: "O", statusCode: "021", description: "Out For Delivery Today", summary: "Out for Delivery"),
        Stage(code: "D", statusCode: "011", description: "DELIVERED ", summary: "Delivered"),
    ]

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static let firstDay = calendar.date(from: DateComponents(year: 2025, month: 1, day: 6))!

    private static func day(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04ld%02ld%02ld", parts.year!, parts.month!, parts.day!)
    }

    /// FNV-1a: stable across runs and processes, unlike `Hasher`.
    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
