/// Converting between the batch form and `Event`, the tree form that tests and configuration
/// use. Not for the hot path.
extension EventBatch {
    /// A batch holding `events`.
    package init(_ events: [Event]) {
        self.init()
        for event in events { append(event) }
    }

    /// Appends `event`; its text is its `message` when that is a string.
    package mutating func append(_ event: Event) {
        var text = 0..<0
        if let message = event.message { text = append(text: message) }
        let index = appendEvent(
            timestamp: event.timestamp,
            source: event.source,
            flags: EventFlags(names: event.flags),
            text: text
        )
        for entry in event.fields.entries {
            let key = append(text: entry.key)
            let field = appendField(key, .null, toEvent: index)
            store(entry.value, inField: field)
        }
    }

    private mutating func store(_ value: FieldValue, inField field: Int) {
        switch value {
        case .string(let text): setValue(.text(append(text: text)), ofField: field)
        case .integer(let number): setValue(.integer(number), ofField: field)
        case .double(let number): setValue(.double(number), ofField: field)
        case .bool(let flag): setValue(.bool(flag), ofField: field)
        case .null: setValue(.null, ofField: field)
        case .array:
            var json: [UInt8] = []
            value.appendJSON(to: &json)
            let range = json.withUnsafeBufferPointer { append(bytes: $0) }
            setValue(.json(range, .array), ofField: field)
        case .object(let object):
            setValue(.emptyObject, ofField: field)
            for entry in object.entries {
                let key = append(text: entry.key)
                let member = appendField(key, .null, toObject: field)
                store(entry.value, inField: member)
            }
        }
    }

    /// Event `index` as an `Event`, its fields decoded.
    package func event(at index: Int) -> Event {
        let record = records[index]
        var object = FieldObject()
        var field = record.first
        while field >= 0 {
            object[keyString(fields[field].key)] = value(fields[field].value)
            field = next(after: field)
        }
        return Event(fields: object, timestamp: record.timestamp, source: source(of: index), flags: record.flags.names)
    }

    /// Every event as an `Event`.
    package var events: [Event] { (0..<count).map { event(at: $0) } }
}

extension EventBatch {
    /// A slot holding `value`, written into the bytes once: strings as text, arrays and objects as
    /// JSON text (objects from `FieldObject` never repeat a key), scalars inline.
    package mutating func store(_ value: FieldValue) -> FieldSlot {
        switch value {
        case .string(let text): return .text(append(text: text))
        case .integer(let number): return .integer(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .array, .object:
            var json: [UInt8] = []
            value.appendJSON(to: &json)
            let range = json.withUnsafeBufferPointer { append(bytes: $0) }
            if case .array = value { return .json(range, .array) }
            return .json(range, .object)
        }
    }
}
