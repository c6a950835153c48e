package connect

// connectText is every string the Connect page shows, in one language.
// Messages with %s take the value named in their comment.
type connectText struct {
	Banner             string
	Secure             string
	ConsentHeading     string
	ConsentText        string // %s: the customerName, or CustomerFallback
	CustomerFallback   string
	Accept             string
	Deny               string
	Denied             string
	ChooseHeading      string
	SearchLabel        string
	SearchButton       string
	NoInstitution      string
	DemoOnly           string
	SignInHeading      string // %s: the institution's display name
	Username           string
	Password           string
	SignIn             string
	Back               string
	Close              string
	Closed             string
	DemoHint           string
	DemoAnswers        string
	MFAHeading         string
	MFAIntro           string
	Submit             string
	SuccessHeading     string
	SuccessText        string
	Continue           string
	StayText           string
	CodeLabel          string
	EndHeading         string
	TokenInvalid       string
	SessionEnded       string
	TooManyCustomers   string
	BadForm            string
	MissingFields      string
	UnknownInstitution string
	GenericError       string
	ByCode             map[string]string
}

// connectCatalog is the message catalog of the Connect page: English (the
// default, as in Flinks Connect) and French (language=fr). It is read-only.
var connectCatalog = map[string]*connectText{
	"en": {
		Banner:             "flinks-mock — test double of Flinks Connect",
		Secure:             "Secure connection to your bank",
		ConsentHeading:     "Share your banking data",
		ConsentText:        "%s asks to read your bank accounts, balances and transactions through Flinks.",
		CustomerFallback:   "This application",
		Accept:             "I agree",
		Deny:               "I do not agree",
		Denied:             "You did not give your consent. No account was connected; you can close this window.",
		ChooseHeading:      "Choose your bank",
		SearchLabel:        "Search for your bank",
		SearchButton:       "Search",
		NoInstitution:      "No bank matches.",
		DemoOnly:           "Flinks Capital, the test bank, is listed only with demo=true.",
		SignInHeading:      "Sign in to %s",
		Username:           "Username",
		Password:           "Password",
		SignIn:             "Sign in",
		Back:               "Back to the list of banks",
		Close:              "Close",
		Closed:             "You closed the connection. No account was connected.",
		DemoHint:           "Sandbox: username Greatday, password Everyday.",
		DemoAnswers:        "Sandbox answers:",
		MFAHeading:         "Security check",
		MFAIntro:           "Your bank asks you to confirm your identity.",
		Submit:             "Continue",
		SuccessHeading:     "Your account is connected",
		SuccessText:        "Your bank account was connected successfully.",
		Continue:           "Continue",
		StayText:           "You can close this window.",
		CodeLabel:          "Flinks code",
		EndHeading:         "The connection did not complete",
		TokenInvalid:       "This connection link is no longer valid. Close this window and start again.",
		SessionEnded:       "Your session has ended. Close this window and start again.",
		TooManyCustomers:   "The service is busy. Try again later.",
		BadForm:            "This page could not read what was sent. Close this window and start again.",
		MissingFields:      "Enter your username and your password.",
		UnknownInstitution: "Choose a bank from the list.",
		GenericError:       "Something went wrong while connecting to your bank.",
		ByCode:             connectErrorsEN,
	},
	"fr": {
		Banner:             "flinks-mock — doublure de test de Flinks Connect",
		Secure:             "Connexion sécurisée à votre banque",
		ConsentHeading:     "Partagez vos données bancaires",
		ConsentText:        "%s demande à lire vos comptes, vos soldes et vos transactions par l’intermédiaire de Flinks.",
		CustomerFallback:   "Cette application",
		Accept:             "J’accepte",
		Deny:               "Je refuse",
		Denied:             "Vous n’avez pas donné votre consentement. Aucun compte n’a été connecté ; vous pouvez fermer cette fenêtre.",
		ChooseHeading:      "Choisissez votre banque",
		SearchLabel:        "Rechercher votre banque",
		SearchButton:       "Rechercher",
		NoInstitution:      "Aucune banque ne correspond.",
		DemoOnly:           "Flinks Capital, la banque de test, n’apparaît qu’avec demo=true.",
		SignInHeading:      "Connexion à %s",
		Username:           "Nom d’utilisateur",
		Password:           "Mot de passe",
		SignIn:             "Se connecter",
		Back:               "Retour à la liste des banques",
		Close:              "Fermer",
		Closed:             "Vous avez fermé la connexion. Aucun compte n’a été connecté.",
		DemoHint:           "Bac à sable : nom d’utilisateur Greatday, mot de passe Everyday.",
		DemoAnswers:        "Réponses du bac à sable :",
		MFAHeading:         "Vérification de sécurité",
		MFAIntro:           "Votre banque vous demande de confirmer votre identité.",
		Submit:             "Continuer",
		SuccessHeading:     "Votre compte est connecté",
		SuccessText:        "Votre compte bancaire a été connecté avec succès.",
		Continue:           "Continuer",
		StayText:           "Vous pouvez fermer cette fenêtre.",
		CodeLabel:          "Code Flinks",
		EndHeading:         "La connexion n’a pas abouti",
		TokenInvalid:       "Ce lien de connexion n’est plus valide. Fermez cette fenêtre et recommencez.",
		SessionEnded:       "Votre session est terminée. Fermez cette fenêtre et recommencez.",
		TooManyCustomers:   "Le service est occupé. Réessayez plus tard.",
		BadForm:            "Cette page n’a pas pu lire ce qui a été envoyé. Fermez cette fenêtre et recommencez.",
		MissingFields:      "Saisissez votre nom d’utilisateur et votre mot de passe.",
		UnknownInstitution: "Choisissez une banque dans la liste.",
		GenericError:       "Une erreur est survenue pendant la connexion à votre banque.",
		ByCode:             connectErrorsFR,
	},
}

// What an end user reads for each FlinksCode an authorize step can end in,
// worded after Flinks' list of handled errors.
var (
	connectErrorsEN = map[string]string{
		"INVALID_LOGIN":                "The username or password is incorrect. Try again.",
		"INVALID_USERNAME":             "The username is incorrect. Try again.",
		"INVALID_PASSWORD":             "The password is incorrect. Try again.",
		"DISABLED_LOGIN":               "Your bank has disabled access to this account. Contact your bank to restore it.",
		"RETRY_LATER":                  "We could not reach your bank. Try again in a few minutes.",
		"INVALID_SECURITY_RESPONSE":    "The answer is incorrect. Try again.",
		"SECURITYRESPONSES_INCOMPLETE": "Answer every security question.",
		"UNKNOWN_CHALLENGE_KEY":        "The security questions changed. Answer the questions shown.",
		"NEW_ACCOUNT":                  "Your bank needs you to sign in to its website first (for example to accept new terms).",
		"UNAUTHORIZED":                 "Your bank did not allow the connection. You may need to complete a step on your bank’s website.",
		"AGGREGATION_ERROR":            "An unexpected error happened. Try again.",
		"DISABLED_INSTITUTION":         "This bank is not available at the moment.",
		"SESSION_EXPIRED":              "Your session has expired. Close this window and start again.",
		"SESSION_NONEXISTENT":          "Your session has ended. Close this window and start again.",
		"ALREADY_AUTHORIZED":           "This account is already connected.",
	}
	connectErrorsFR = map[string]string{
		"INVALID_LOGIN":                "Le nom d’utilisateur ou le mot de passe est incorrect. Réessayez.",
		"INVALID_USERNAME":             "Le nom d’utilisateur est incorrect. Réessayez.",
		"INVALID_PASSWORD":             "Le mot de passe est incorrect. Réessayez.",
		"DISABLED_LOGIN":               "Votre banque a désactivé l’accès à ce compte. Communiquez avec votre banque pour le rétablir.",
		"RETRY_LATER":                  "Nous n’avons pas pu joindre votre banque. Réessayez dans quelques minutes.",
		"INVALID_SECURITY_RESPONSE":    "La réponse est incorrecte. Réessayez.",
		"SECURITYRESPONSES_INCOMPLETE": "Répondez à toutes les questions de sécurité.",
		"UNKNOWN_CHALLENGE_KEY":        "Les questions de sécurité ont changé. Répondez aux questions affichées.",
		"NEW_ACCOUNT":                  "Votre banque vous demande d’abord de vous connecter à son site (par exemple pour accepter de nouvelles conditions).",
		"UNAUTHORIZED":                 "Votre banque n’a pas autorisé la connexion. Une étape est peut-être requise sur le site de votre banque.",
		"AGGREGATION_ERROR":            "Une erreur inattendue est survenue. Réessayez.",
		"DISABLED_INSTITUTION":         "Cette banque n’est pas disponible pour le moment.",
		"SESSION_EXPIRED":              "Votre session a expiré. Fermez cette fenêtre et recommencez.",
		"SESSION_NONEXISTENT":          "Votre session est terminée. Fermez cette fenêtre et recommencez.",
		"ALREADY_AUTHORIZED":           "Ce compte est déjà connecté.",
	}
)

// connectRetryable lists the codes after which Flinks Connect lets the end
// user try again on the same screen (its handled errors whose user action
// is to re-enter or retry). Any other code ends the flow.
var connectRetryable = map[string]bool{
	"INVALID_LOGIN":                true,
	"INVALID_USERNAME":             true,
	"INVALID_PASSWORD":             true,
	"RETRY_LATER":                  true,
	"AGGREGATION_ERROR":            true,
	"INVALID_SECURITY_RESPONSE":    true,
	"SECURITYRESPONSES_INCOMPLETE": true,
	"UNKNOWN_CHALLENGE_KEY":        true,
}

// textFor returns the catalog of a language, English for any language the
// page does not speak.
func textFor(lang string) *connectText {
	if t, ok := connectCatalog[lang]; ok {
		return t
	}
	return connectCatalog["en"]
}

// errorText is the end user's wording of a FlinksCode.
func (t *connectText) errorText(code string) string {
	if msg, ok := t.ByCode[code]; ok {
		return msg
	}
	return t.GenericError
}
