package inspector

import (
	"strings"

	"github.com/flinks-mock/flinks-mock/mockserver/timeline"
)

// uiText is every string the inspector shows, in one language.
type uiText struct {
	Lang, Other, OtherName string // the page's language, the other one and its name
	Title                  string
	Skip                   string
	Clock, VirtualClock    string
	RealClock              string
	Advance                string // "Advance the clock by %s" (%s: a duration)
	Customers, Customer    string
	NoCustomer             string
	Sessions, Requests     string
	Deliveries, LastSeen   string
	Open                   string
	BackToCustomers        string
	NoSession              string
	Session, Login, State  string
	Steps                  string
	Timeline, Close        string
	WholeJournal           string
	Webhooks, NoDelivery   string
	Attempts, Attempt      string
	Status, Latency        string
	Signature, Unsigned    string
	Time, Error, Next      string
	Resend, Fire, Resent   string
	Logins, Behaviour      string
	Username, Password     string
	Institution, Answers   string
	Prompts, NoMFA         string
	Cached                 string
	TokenHeading           string
	TokenHelp, TokenLabel  string
	TokenSave              string
	Live, Offline          string
	PickEntry              string
	States                 map[string]string // by state key
	TL                     timeline.Labels
}

// uiCatalog is the message catalog of the inspector: English (the
// default) and French (lang=fr), like the Connect page's. It is read-only.
var uiCatalog = map[string]*uiText{
	"en": {
		Lang: "en", Other: "fr", OtherName: "Français",
		Title: "flinks-mock inspector", Skip: "Skip to the content",
		Clock: "Server clock", VirtualClock: "virtual", RealClock: "real",
		Advance:   "Advance the clock by %s",
		Customers: "Customers", Customer: "Customer", NoCustomer: "No customer has called the mock yet.",
		Sessions: "Sessions", Requests: "Requests", Deliveries: "Webhook deliveries", LastSeen: "Last request",
		Open: "Open", BackToCustomers: "All customers",
		NoSession: "No session yet.", Session: "Session", Login: "Login", State: "State", Steps: "Flow of the session",
		Timeline: "Timeline", Close: "Close", WholeJournal: "Timeline of every request of the customer",
		Webhooks: "Webhooks", NoDelivery: "No webhook delivery yet.",
		Attempts: "Attempts", Attempt: "Attempt", Status: "Status", Latency: "Latency",
		Signature: "Signature (flinks-authenticity-key)", Unsigned: "unsigned",
		Time: "Time", Error: "Error", Next: "Next attempt",
		Resend: "Re-send", Fire: "Fire a webhook", Resent: "re-sent",
		Logins: "Loaded logins", Behaviour: "Behaviour", Username: "Username", Password: "Password",
		Institution: "Institution", Answers: "Answers", Prompts: "Prompts", NoMFA: "no MFA",
		Cached:       "cached",
		TokenHeading: "Admin token", TokenHelp: "This server has an admin token: give it to see its customers. It stays in this tab only.",
		TokenLabel: "Admin token (--admin-token)", TokenSave: "Use this token",
		Live: "Live", Offline: "Reconnecting…",
		PickEntry: "Select an arrow of the timeline to see its request and answer.",
		States: map[string]string{
			stateWaiting: "waiting for MFA", stateAuthorized: "authorized", stateProcessing: "processing",
			stateReady: "ready", stateExpired: "expired",
		},
		TL: timeline.English,
	},
	"fr": {
		Lang: "fr", Other: "en", OtherName: "English",
		Title: "Inspecteur flinks-mock", Skip: "Aller au contenu",
		Clock: "Horloge du serveur", VirtualClock: "virtuelle", RealClock: "réelle",
		Advance:   "Avancer l’horloge de %s",
		Customers: "Clients", Customer: "Client", NoCustomer: "Aucun client n’a encore appelé le mock.",
		Sessions: "Sessions", Requests: "Requêtes", Deliveries: "Livraisons de webhooks", LastSeen: "Dernière requête",
		Open: "Ouvrir", BackToCustomers: "Tous les clients",
		NoSession: "Aucune session pour l’instant.", Session: "Session", Login: "Connexion", State: "État", Steps: "Déroulement de la session",
		Timeline: "Chronologie", Close: "Fermer", WholeJournal: "Chronologie de toutes les requêtes du client",
		Webhooks: "Webhooks", NoDelivery: "Aucune livraison de webhook pour l’instant.",
		Attempts: "Tentatives", Attempt: "Tentative", Status: "Statut", Latency: "Latence",
		Signature: "Signature (flinks-authenticity-key)", Unsigned: "non signé",
		Time: "Heure", Error: "Erreur", Next: "Prochaine tentative",
		Resend: "Renvoyer", Fire: "Envoyer un webhook", Resent: "renvoyée",
		Logins: "Connexions chargées", Behaviour: "Comportement", Username: "Nom d’utilisateur", Password: "Mot de passe",
		Institution: "Institution", Answers: "Réponses", Prompts: "Questions", NoMFA: "sans MFA",
		Cached:       "en cache",
		TokenHeading: "Jeton d’administration", TokenHelp: "Ce serveur a un jeton d’administration : donnez-le pour voir ses clients. Il reste dans cet onglet seulement.",
		TokenLabel: "Jeton d’administration (--admin-token)", TokenSave: "Utiliser ce jeton",
		Live: "En direct", Offline: "Reconnexion…",
		PickEntry: "Choisissez une flèche de la chronologie pour voir sa requête et sa réponse.",
		States: map[string]string{
			stateWaiting: "attend la MFA", stateAuthorized: "autorisée", stateProcessing: "en traitement",
			stateReady: "prête", stateExpired: "expirée",
		},
		TL: timeline.French,
	},
}

// textFor returns the catalog of lang ("fr" or "en"); without one, the
// first language of Accept-Language that has one; else English.
func textFor(lang, acceptLanguage string) *uiText {
	if t, ok := uiCatalog[lang]; ok {
		return t
	}
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if t, ok := uiCatalog[base]; ok {
			return t
		}
	}
	return uiCatalog["en"]
}
