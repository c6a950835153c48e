package mockserver_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

var _ = Describe("Re-sending a webhook delivery", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = context.Background() })

	It("makes a new attempt of the same delivery, same body and signature, journalled like the others", func() {
		rc := newHookReceiver()
		srv, f := hookServer(nil, rc)
		hookDetail(f, hookSession(f, 1, nil))
		Eventually(hookAttempts(srv)).Should(Equal(1))
		first := hookDeliveries(srv, admin.DeliveryFilter{})[0]
		Expect(first.State).To(Equal(admin.DeliveryDelivered))

		srv.Advance(5 * time.Minute)
		d, err := srv.Admin.ResendWebhook(ctx, first.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ID).To(Equal(first.ID))
		Expect(d.State).To(Equal(admin.DeliveryDelivered))
		Expect(d.Attempts).To(HaveLen(2))
		Expect(d.Attempts[0].Resent).To(BeFalse())
		Expect(d.Attempts[1]).To(SatisfyAll(HaveField("Attempt", 2), HaveField("Status", 200), HaveField("Resent", true),
			HaveField("Time", first.Attempts[0].Time.Add(5*time.Minute))))
		Expect(hookDeliveries(srv, admin.DeliveryFilter{})).To(HaveLen(1), "no new delivery")

		got := rc.received()
		Expect(got).To(HaveLen(2))
		Expect(got[1].Body).To(Equal(got[0].Body))
		Expect(got[1].Header.Get("flinks-authenticity-key")).To(Equal(got[0].Header.Get("flinks-authenticity-key")))
		entries := hookEntries(srv)
		Expect(entries).To(HaveLen(2))
		Expect(entries[1]).To(SatisfyAll(HaveField("DeliveryID", first.ID), HaveField("Attempt", 2), HaveField("Kind", journal.KindWebhook), HaveField("Status", 200)))
	})

	It("delivers a failed delivery once the receiver answers 200, and fails it again when not, with no retry", func() {
		rc := newHookReceiver(500, 500, 503)
		srv, f := hookServer(nil, rc)
		_, err := srv.Admin.SetWebhookTargets(ctx, srv.CustomerID, []admin.WebhookTargetSetting{{URL: rc.URL + "/flinks", Attempts: 2, Interval: time.Minute}})
		Expect(err).NotTo(HaveOccurred())
		hookDetail(f, hookSession(f, 1, nil))
		Eventually(hookAttempts(srv)).Should(Equal(1))
		srv.Advance(time.Minute)
		failedOne := hookDeliveries(srv, admin.DeliveryFilter{})[0]
		Expect(failedOne.State).To(Equal(admin.DeliveryFailed))

		d, err := srv.Admin.ResendWebhook(ctx, failedOne.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.State).To(Equal(admin.DeliveryFailed))
		Expect(d.Attempts).To(HaveLen(3))
		Expect(d.Attempts[2].Status).To(Equal(503))
		Expect(d.NextAttempt).To(BeNil(), "a re-send of an ended delivery schedules no retry")
		srv.Advance(time.Hour)
		Expect(rc.count()).To(Equal(3))

		d, err = srv.Admin.ResendWebhook(ctx, failedOne.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.State).To(Equal(admin.DeliveryDelivered))
		Expect(d.Attempts).To(HaveLen(4))
		Expect(hookEntries(srv)).To(HaveLen(4))
	})

	It("makes the next attempt of a pending delivery now, its retries following as before", func() {
		rc := newHookReceiver(500, 500, 500)
		srv, f := hookServer(nil, rc)
		hookDetail(f, hookSession(f, 1, nil))
		Eventually(hookAttempts(srv)).Should(Equal(1))
		pendingOne := hookDeliveries(srv, admin.DeliveryFilter{})[0]
		d, err := srv.Admin.ResendWebhook(ctx, pendingOne.ID)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.State).To(Equal(admin.DeliveryPending))
		Expect(d.Attempts).To(HaveLen(2))
		Expect(*d.NextAttempt).To(Equal(d.Attempts[1].Time.Add(30 * time.Minute)))
		srv.Advance(30 * time.Minute)
		Expect(rc.count()).To(Equal(3))
		srv.Advance(30 * time.Minute)
		Expect(hookDeliveries(srv, admin.DeliveryFilter{})[0].State).To(Equal(admin.DeliveryDelivered))
	})

	It("refuses a delivery the mock does not keep, and one its customer's reset ended", func() {
		rc := newHookReceiver()
		srv, f := hookServer(nil, rc)
		Expect(f.do("POST", "/__admin/webhooks/resend", nil, map[string]any{"deliveryId": "nope"})).To(haveFlinksError(404, "INVALID_REQUEST"))
		Expect(f.do("POST", "/__admin/webhooks/resend", nil, map[string]any{})).To(haveFlinksError(400, "INVALID_REQUEST"))
		hookDetail(f, hookSession(f, 1, nil))
		Eventually(hookAttempts(srv)).Should(Equal(1))
		id := hookDeliveries(srv, admin.DeliveryFilter{})[0].ID
		_, err := srv.Admin.Reset(ctx, srv.CustomerID)
		Expect(err).NotTo(HaveOccurred())
		_, err = srv.Admin.ResendWebhook(ctx, id)
		var apiErr *admin.Error
		Expect(err).To(BeAssignableToTypeOf(apiErr))
		Expect(err.(*admin.Error).Status).To(Equal(404))
		Expect(rc.count()).To(Equal(1))
	})
})
