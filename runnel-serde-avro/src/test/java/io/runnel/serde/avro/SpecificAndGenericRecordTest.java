// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.serde.avro.generated.Currency;
import io.runnel.serde.avro.generated.Payment;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Avro-generated SpecificRecord classes and GenericRecords, and how they read each other. */
class SpecificAndGenericRecordTest {
    private static final RecordType<Payment> PAYMENT = RecordType.of(Payment.class);
    private static final RecordType<GenericRecord> GENERIC = RecordType.of(GenericRecord.class);

    private static final Schema NOTE_V1 = SchemaBuilder.record("Note").fields()
            .requiredString("id")
            .name("text").type().stringType().stringDefault("")
            .endRecord();
    private static final Schema NOTE_V2 = SchemaBuilder.record("Note").fields()
            .requiredString("id")
            .name("author").type().stringType().stringDefault("anonymous")
            .endRecord();

    private final AvroSerializer serializer = new AvroSerializer();

    static Payment payment() {
        return Payment.newBuilder()
                .setId("p-1")
                .setAmountCents(1999)
                .setCurrency(Currency.GBP)
                .setPaidAt(Instant.parse("2024-05-06T07:08:09.123Z"))
                .setNote(null)
                .setTags(List.of("card", "online"))
                .build();
    }

    @Test
    void a_specific_record_round_trips_into_its_generated_class() {
        Payment payment = payment();
        Payment back = serializer.deserialize(PAYMENT, serializer.serialize(PAYMENT, payment));

        assertThat(back).isEqualTo(payment).isInstanceOf(Payment.class);
        assertThat(back.getPaidAt()).isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z"));
        assertThat(AvroSerializer.schemaOf(Payment.class)).isEqualTo(Payment.getClassSchema());

        // (Not Payment.newBuilder(payment): Avro's deep copy of the enum needs the process-wide allow list.)
        Payment withNote = payment();
        withNote.setNote("thanks");
        withNote.setTags(List.of());
        assertThat(serializer.deserialize(PAYMENT, serializer.serialize(PAYMENT, withNote))).isEqualTo(withNote);
    }

    @Test
    void a_specific_record_is_readable_as_a_generic_record_and_back() {
        byte[] specific = serializer.serialize(PAYMENT, payment());

        GenericRecord generic = serializer.deserialize(GENERIC, specific);
        assertThat(generic.getSchema()).isEqualTo(Payment.getClassSchema());
        assertThat(generic.get("id")).hasToString("p-1");
        assertThat(generic.get("amountCents")).isEqualTo(1999L);
        assertThat(generic.get("currency")).hasToString("GBP");
        assertThat(generic.get("paidAt")).isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z").toEpochMilli());

        byte[] fromGeneric = serializer.serialize(GENERIC, generic);
        assertThat(serializer.deserialize(PAYMENT, fromGeneric)).isEqualTo(payment());
    }

    @Test
    void a_generic_record_round_trips_with_its_own_schema() {
        GenericRecord note = new GenericData.Record(NOTE_V1);
        note.put("id", "n-1");
        note.put("text", "hello");

        GenericRecord back = serializer.deserialize(GENERIC, serializer.serialize(GENERIC, note));

        assertThat(back.getSchema()).isEqualTo(NOTE_V1);
        assertThat(back.get("id")).hasToString("n-1");
        assertThat(back.get("text")).hasToString("hello");
        // A stream of the concrete class works the same way.
        RecordType<GenericData.Record> concrete = RecordType.of(GenericData.Record.class);
        assertThat(serializer.deserialize(concrete, serializer.serialize(concrete, (GenericData.Record) note)))
                .isEqualTo(back);
    }

    @Test
    void a_generic_reader_schema_resolves_old_and_new_events() {
        AvroSerializer v1 = new AvroSerializer(NOTE_V1);
        AvroSerializer v2 = new AvroSerializer(NOTE_V2);
        GenericRecord old = new GenericData.Record(NOTE_V1);
        old.put("id", "n-1");
        old.put("text", "hello");
        GenericRecord newer = new GenericData.Record(NOTE_V2);
        newer.put("id", "n-2");
        newer.put("author", "ada");
        // Share the writer schemas between the two, as the Redis store would.
        byte[] oldBytes = v1.serialize(GENERIC, old);
        byte[] newBytes = v2.serialize(GENERIC, newer);
        v2.serialize(GENERIC, old);
        v1.serialize(GENERIC, newer);

        GenericRecord oldAsNew = v2.deserialize(GENERIC, oldBytes);
        assertThat(oldAsNew.getSchema()).isEqualTo(NOTE_V2);
        assertThat(oldAsNew.get("id")).hasToString("n-1");
        assertThat(oldAsNew.get("author")).hasToString("anonymous");

        GenericRecord newAsOld = v1.deserialize(GENERIC, newBytes);
        assertThat(newAsOld.getSchema()).isEqualTo(NOTE_V1);
        assertThat(newAsOld.get("id")).hasToString("n-2");
        assertThat(newAsOld.get("text")).hasToString("");
        assertThat(v1.genericReaderSchema()).contains(NOTE_V1);
    }

    @Test
    void a_generic_record_with_a_missing_required_field_fails_without_quoting_values() {
        GenericRecord incomplete = new GenericData.Record(NOTE_V1);
        incomplete.put("id", "secret-id");

        assertThatThrownBy(() -> serializer.serialize(GENERIC, incomplete))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot serialize GenericRecord to Avro")
                .hasMessageNotContaining("secret-id");
        assertThatThrownBy(() -> new AvroSerializer(Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_generic_record_whose_value_matches_no_union_branch_names_the_type_not_the_value() {
        Schema schema = SchemaBuilder.record("Tagged").fields()
                .name("tag").type().unionOf().nullType().and().intType().endUnion().nullDefault()
                .endRecord();
        GenericRecord tagged = new GenericData.Record(schema);
        tagged.put("tag", "secret-value");

        assertThatThrownBy(() -> serializer.serialize(GENERIC, tagged))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageNotContaining("secret-value");
    }
}
